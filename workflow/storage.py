"""Static files for production: hashed, compressed names served by WhiteNoise."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class ManifestStaticStorage(CompressedManifestStaticFilesStorage):
    """viewflow's bundled Roboto stylesheet names font files the package does not ship;
    such a reference is left as written instead of failing ``collectstatic``."""

    def url_converter(self, name, hashed_files, template=None):
        convert = super().url_converter(name, hashed_files, template)

        def forgiving(matchobj):
            try:
                return convert(matchobj)
            except ValueError:  # the referenced file does not exist
                return matchobj.groupdict()["matched"]

        return forgiving
