"""Satisfaction ratings on the national good/bad review scale (好差评).

Five levels; the lowest two must say why, so the hall can act on them.
"""
from __future__ import annotations

from sqlalchemy.orm import Session

from kiosk.errors import Message, UserFacingError
from kiosk.store.models import Rating

LEVELS: dict[int, Message] = {
    5: Message("非常满意", "Very satisfied"),
    4: Message("满意", "Satisfied"),
    3: Message("基本满意", "Fairly satisfied"),
    2: Message("不满意", "Dissatisfied"),
    1: Message("非常不满意", "Very dissatisfied"),
}

REASONS: dict[str, Message] = {
    "waiting_time": Message("等候时间太长", "Waited too long"),
    "materials_unclear": Message("材料要求不清楚", "The list of materials was unclear"),
    "come_back_again": Message("需要多次跑腿", "Had to come back more than once"),
    "staff_attitude": Message("工作人员态度不好", "Staff were unfriendly"),
    "system_hard": Message("自助设备不好用", "The self-service machine was hard to use"),
    "other": Message("其他", "Other"),
}

COMMENT_MAX = 300


def record_rating(session: Session, score: int, *, service_item_code: str | None = None,
                  application_id: str | None = None, reason_code: str | None = None, comment: str | None = None,
                  channel: str = "kiosk") -> Rating:
    if score not in LEVELS:
        raise UserFacingError(Message("请选择一个评价等级。", "Please choose one of the five levels."), code="rating")
    if score <= 2 and reason_code not in REASONS:
        raise UserFacingError(Message("请告诉我们不满意的原因。", "Please tell us why you are not satisfied."),
                              code="rating_reason")
    if reason_code is not None and reason_code not in REASONS:
        raise UserFacingError(Message("请选择列出的原因之一。", "Please choose one of the listed reasons."),
                              code="rating_reason")
    comment = (comment or "").strip() or None
    if comment and len(comment) > COMMENT_MAX:
        raise UserFacingError(Message(f"意见不能超过{COMMENT_MAX}个字。", f"A comment has at most {COMMENT_MAX} characters."),
                              code="rating_comment")
    rating = Rating(score=score, service_item_code=service_item_code, application_id=application_id,
                    reason_code=reason_code if score <= 3 or reason_code else None, comment=comment, channel=channel)
    session.add(rating)
    session.flush()
    return rating
