"""Finding the application a document is about, by its id or its receipt number."""
from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from kiosk.errors import Message
from kiosk.store.models import Application, ApplicationMaterial, MaterialFile
from printing.errors import DocumentUnavailable


def find_application(session: Session, key: str) -> Application:
    key = (key or "").strip()
    app = session.scalar(
        select(Application)
        .options(selectinload(Application.materials).selectinload(ApplicationMaterial.files)
                 .selectinload(MaterialFile.attachment))
        .where(or_(Application.id == key, Application.receipt_no == key.upper()))
    )
    if app is None:
        raise DocumentUnavailable(Message(f"找不到编号或回执编号为“{key}”的申请。",
                                          f"No application has the id or receipt number '{key}'."))
    if app.personal_data_purged_at is not None:
        raise DocumentUnavailable(Message(f"申请 {app.receipt_no or app.id} 的个人信息已按保存期限清除，无法打印。",
                                          f"The personal data of application {app.receipt_no or app.id} was removed "
                                          "at the end of its retention period; it cannot be printed."))
    if not app.receipt_no:
        raise DocumentUnavailable(Message(f"申请 {app.id} 尚未提交，没有回执编号。",
                                          f"Application {app.id} has not been submitted and has no receipt number."))
    return app
