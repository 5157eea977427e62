"""The one masking presenter (ARCHITECTURE.md "Personal data"; docs/decisions/0018-masking.md).

Every API schema, page, PDF, log line and admin list shows personal data through these
functions, and the templates through the `masking` filters (accounts/templatetags/masking.py),
so the rule for each kind of data is written once:

- resident ID numbers: 3714**********2011 — the region and the check digits stay, the birth date
  and the sequence go (API.md);
- phones: 138****5678 (API.md);
- a person's name, where a name is masked at all (public verification, another department's view
  of a project owner's representative): 张* / 张*伟 / 欧**娜 — see `mask_name`;
- unified social credit codes (GB 32100) and company names are public registration data
  (企业信息公示暂行条例 art. 6–8): shown in full everywhere, page and API alike.

Who may read the unmasked numbers is decided by accounts.queries.may_unmask alone, and every such
read goes through accounts.services.read_unmasked (a PersonalDataRead row)."""

import re

from onewindow.accounts.models import Applicant

_MOBILE = re.compile(r"1[3-9]\d{9}")
_RESIDENT_ID = re.compile(r"\d{17}[\dXx]")


def mask_id(value: str) -> str:
    """3714********1234 (API.md): first four, last four."""
    if not value:
        return ""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(value: str) -> str:
    """138****5678 (API.md)."""
    if not value:
        return ""
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_name(value: str) -> str:
    """张* for two characters, 张*伟 / 欧**娜 for three or more: the family name and the last
    character stay. This is the form Chinese public notices (公示) use: the person recognises
    their own entry, a stranger cannot tell 张小伟 from 张大伟. A two-character name keeps only
    the family name, since keeping its last character too would show the whole name."""
    value = (value or "").strip()
    if not value:
        return ""
    if len(value) <= 2:
        return value[0] + "*"
    return value[0] + "*" * (len(value) - 2) + value[-1]


def mask_holder(name: str, kind: str) -> str:
    """A license holder's name as the public sees it: a person's masked, a company's in full
    (company names are public registration data)."""
    return (name or "").strip() if kind == Applicant.Kind.LEGAL else mask_name(name)


def mask_answer(value):
    """A typed form answer (申请表, 一表申请) that is a mobile number or a resident ID number is
    masked like those: the forms have no "phone" kind, and a contact phone is a phone whoever
    typed it."""
    if isinstance(value, str):
        text = value.strip()
        if _MOBILE.fullmatch(text):
            return mask_phone(text)
        if _RESIDENT_ID.fullmatch(text):
            return mask_id(text)
    return value


def identifier(applicant: Applicant) -> str:
    """The applicant's number as shown: a person's ID number masked, a company's credit code in
    full (public, GB 32100)."""
    if applicant.id_number:
        return mask_id(applicant.id_number)
    return applicant.credit_code or ""


def masked(applicant: Applicant) -> dict:
    """The applicant's numbers as every page and answer shows them."""
    return {"identifier": identifier(applicant), "phone": mask_phone(applicant.phone)}
