"""Admin pages of the domain: the county import on the region list (processes/onboarding/)."""

from .onboarding.admin import register

register()
