"""The county's key administrator, on the admin site: revokes a township government's signing
key that has leaked, then issues the township a new one, each with its reason."""

from django.contrib.auth import get_user_model

from documents import pki
from documents.models import KeyRevocation
from processes.papers.parties import region_government


def test_the_key_administrator_revokes_a_leaked_key_and_issues_a_new_one(cast, people):
    township = region_government(cast.regions["A"])
    pki.create_county_ca("织金县")
    old = pki.issue_org_key(township.name, township.code)
    root = get_user_model().objects.create_superuser(
        "key_admin", password="unused-2026", full_name="罗志强"
    )

    admin = people(root)
    admin.open("/admin/")
    admin.click("签章密钥吊销记录")
    admin.see("0 签章密钥吊销记录")
    admin.click("增加 签章密钥吊销记录")
    admin.see("吊销签章密钥")
    admin.fill("单位代码", township.code)
    admin.fill("理由", "经办人电脑中毒，私钥可能泄露。")
    admin.press("吊销密钥")
    admin.see(f"{township.name}的签章密钥已吊销，不能再用于签章。")
    revocation = KeyRevocation.objects.get()
    assert revocation.serial == format(old.certificate.serial_number, "x")

    admin.click("签发新密钥")
    admin.see(f"为{township.name}签发新的签章密钥")
    admin.see("经办人电脑中毒，私钥可能泄露。")  # the revocation it follows
    admin.press("签发新密钥")  # without a reason: refused, nothing issued
    admin.see("这个字段是必填项。")
    assert pki.get_org_key(township.code).certificate == old.certificate
    admin.fill("理由", "更换泄露的私钥")
    admin.press("签发新密钥")
    new = pki.get_org_key(township.code)
    serial = format(new.certificate.serial_number, "x")
    admin.see(f"{township.name}已有新的签章密钥（证书 {serial}")
    admin.see(serial[:12] + "…")  # the list shows the new key beside the revocation
    revocation.refresh_from_db()
    assert (revocation.new_serial, revocation.replaced_by) == (serial, root)
