"""The hall's words: one term for each thing, in Chinese and English, for every screen and document.

A citizen who reads "受理编号" on the receipt and "回执编号" on the kiosk's
lookup screen will think they are two numbers. Screens, documents and
messages take their terms from here; `FORBIDDEN` lists the alternatives that
must not come back, and a test scans the translations and the printing
templates for them.
"""
from __future__ import annotations

from kiosk.errors import Message

#: the number printed on the receipt at submission (kiosk.receipt_numbers), before any acceptance
RECEIPT_NO = Message("回执编号", "receipt number")
#: the platform's number for the case once it has it
CASE_NO = Message("办件编号", "case number")
RECEIPT = Message("回执", "receipt")
APPLICANT = Message("申请人", "applicant")
ID_CARD = Message("身份证", "ID card")
ID_CARD_NO = Message("身份证号码", "ID card number")
#: any identity document (resident card, permanent residence card, ...)
ID_NO = Message("证件号码", "ID number")
PHONE = Message("联系电话", "phone")
SERVICE_ITEM = Message("办理事项", "service item")
CASE = Message("办件", "case")
MATERIAL = Message("材料", "material")
MATERIALS = Message("申请材料", "materials")
SUPPLEMENT = Message("补正", "supplement")
ACCEPT = Message("受理", "accept")
ACCEPTED = Message("已受理", "accepted")
REJECT = Message("不予受理", "reject")
COMPLETED = Message("办结", "completed")
PROMISED_DATE = Message("承诺办结日期", "promised completion date")
COUNTER = Message("窗口", "counter")
KIOSK = Message("自助终端", "self-service kiosk")
HALL = Message("政务服务中心", "government service center")
SUBMITTED_AT = Message("提交时间", "submitted")
ORIGINAL = Message("原件", "original")
DEADLINE = Message("截止日期", "deadline")

TERMS: dict[str, Message] = {
    "receipt_no": RECEIPT_NO, "case_no": CASE_NO, "receipt": RECEIPT, "applicant": APPLICANT,
    "id_card": ID_CARD, "id_card_no": ID_CARD_NO, "id_no": ID_NO, "phone": PHONE,
    "service_item": SERVICE_ITEM, "case": CASE, "material": MATERIAL, "materials": MATERIALS,
    "supplement": SUPPLEMENT, "accept": ACCEPT, "accepted": ACCEPTED, "reject": REJECT, "completed": COMPLETED,
    "promised_date": PROMISED_DATE, "counter": COUNTER, "kiosk": KIOSK, "hall": HALL,
    "submitted_at": SUBMITTED_AT, "original": ORIGINAL, "deadline": DEADLINE,
}

#: alternatives (regular expressions) that name one of the terms above and must not appear on a screen or a
#: document; "政务服务事项" is the official name of the catalog's items and stays
FORBIDDEN: dict[str, str] = {
    "受理编号": "receipt_no",  # the same number as 回执编号, which exists before any acceptance
    "受理号": "receipt_no",
    "回执号码": "receipt_no",
    "(?<!政务)服务事项": "service_item",
    "案件编号": "case_no",
}

#: what a citizen brings when collecting the result, when the catalog does not say
DEFAULT_COLLECT_WITH = Message("领取时请携带本回执和申请人身份证原件；代领的，另带代领人身份证原件和授权委托书。",
                               "To collect, bring this receipt and the applicant's original ID card; someone "
                               "collecting for the applicant also brings their own ID card and a signed authorisation.")


def label(term: Message, lang: str) -> str:
    """A field label: the Chinese term, with the English after it when the terminal is in English."""
    if lang == "en":
        return f"{term.zh} {term.en[:1].upper()}{term.en[1:]}"
    return term.zh
