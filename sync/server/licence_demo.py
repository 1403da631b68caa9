"""Demo holdings for the reference licence library: a dozen citizens of 杭州市西湖区 and what a province's
library plausibly holds for them (`onewindow platform licences seed-demo`, the tests and the bench).

What is assumed, so the bench's figure can be judged:
- every citizen holds an electronic ID card (the Ministry of Public Security's, shared nationally); one of
  them has let it expire;
- residents registered in the province hold a household register entry; two migrants (from 湖南 and 安徽)
  do not (their household is in another province's library), they hold a residence permit (one expired);
- about half own a home (real estate title), married couples hold a marriage certificate, two recent parents
  hold their child's medical certificate of birth (indexed under the parent, as the library links them);
- two run an individual business; one of those businesses was closed, its licence revoked;
- one holds a disability certificate; most hold a social security card.
Dates that must be past or future are computed from today, so the demo stays true as time passes.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from kiosk.identity import credit_code_check_char, organisation_code_check_char, resident_id_check_char
from sync.server.db import PlatformStore
from sync.server.licences import LicenceRefused, NewLicence, issue, revoke, today


def credit_code(region: str, org8: str) -> str:
    """A well-formed unified social credit code (GB 32100) of a government body (1 1 ...) in `region`."""
    body = "11" + region + org8 + organisation_code_check_char(org8)
    return body + credit_code_check_char(body)


def resident_id(body17: str) -> str:
    return body17 + resident_id_check_char(body17)


@dataclass(frozen=True)
class Issuer:
    name: str
    code: str


PSB = Issuer("杭州市公安局西湖区分局", credit_code("330106", "00248214"))
CIVIL = Issuer("杭州市西湖区民政局", credit_code("330106", "00248230"))
MARKET = Issuer("杭州市西湖区市场监督管理局", credit_code("330106", "00248257"))
LAND = Issuer("杭州市规划和自然资源局", credit_code("330100", "00250118"))
HOSPITAL = Issuer("杭州市妇产科医院", credit_code("330100", "47004213"))
DPF = Issuer("杭州市西湖区残疾人联合会", credit_code("330106", "00248361"))
HRSS = Issuer("杭州市人力资源和社会保障局", credit_code("330100", "00250142"))
PSB_HUNAN = Issuer("长沙市公安局岳麓分局", credit_code("430104", "00612507"))
PSB_ANHUI = Issuer("合肥市公安局蜀山分局", credit_code("340104", "00395014"))


@dataclass(frozen=True)
class Holding:
    type_code: str
    issuer: Issuer
    issued_on: date
    valid_until: date | None
    face: dict[str, str]
    revoked: str | None = None  # reason, when the library has revoked it


@dataclass(frozen=True)
class DemoCitizen:
    name: str
    id_number: str
    holdings: tuple[Holding, ...] = field(default_factory=tuple)


def _id_card(birth: date, issued: date, address: str, issuer: Issuer = PSB, until: date | None = None,
             sex: str = "男") -> Holding:
    """Validity by age at issue (GA 2021): under 26 ten years, 26–45 twenty, 46 and over long-term."""
    age = issued.year - birth.year
    if until is None and age < 46:
        until = issued.replace(year=issued.year + (10 if age < 26 else 20))
    return Holding("SFZ", issuer, issued, until, {"sex": sex, "nation": "汉", "birth": birth.isoformat(),
                                                   "address": address})


def _hukou(head: str, relation: str, address: str, issued: date) -> Holding:
    return Holding("HKB", PSB, issued, None, {"household_type": "家庭户", "householder": head, "relation": relation,
                                              "address": address})


def _sbk(number: str, issued: date) -> Holding:
    return Holding("SBK", HRSS, issued, issued.replace(year=issued.year + 10),
                   {"card_number": number, "bank": "中国工商银行杭州分行"})


def citizens(day: date | None = None) -> list[DemoCitizen]:
    d = day or today()
    past = d - timedelta(days=200)  # an end date that has passed
    addr = "浙江省杭州市西湖区文三路{}号"
    return [
        DemoCitizen("王建国", resident_id("33010619580312001"), (
            _id_card(date(1958, 3, 12), date(2016, 5, 4), addr.format(12)),
            _hukou("王建国", "户主", addr.format(12), date(1990, 7, 1)),
            Holding("JHZ", CIVIL, date(1983, 10, 2), None, {"spouse_name": "李秀英", "registered_on": "1983-10-02"}),
            Holding("BDCQZ", LAND, date(2005, 9, 1), None, {"location": addr.format(12), "title_number":
                    "330106001001GB00012F00010001", "area": "89.5㎡", "use": "住宅"}),
            _sbk("330106195803120011", date(2019, 4, 1)))),
        DemoCitizen("李秀英", resident_id("33010619620825002"), (
            _id_card(date(1962, 8, 25), date(2012, 3, 9), addr.format(12), sex="女"),
            _hukou("王建国", "妻", addr.format(12), date(1990, 7, 1)),
            Holding("JHZ", CIVIL, date(1983, 10, 2), None, {"spouse_name": "王建国", "registered_on": "1983-10-02"}),
            Holding("CJRZ", DPF, date(2021, 6, 18), date(2021, 6, 18).replace(year=2031),
                    {"category": "肢体残疾", "grade": "三级"}),
            _sbk("330106196208250024", date(2019, 4, 1)))),
        DemoCitizen("张伟", resident_id("33010619850117003"), (
            _id_card(date(1985, 1, 17), date(2015, 2, 2), "浙江省杭州市西湖区古墩路88号"),
            _hukou("张伟", "户主", "浙江省杭州市西湖区古墩路88号", date(2012, 5, 20)),
            Holding("JHZ", CIVIL, date(2012, 5, 20), None, {"spouse_name": "刘洋", "registered_on": "2012-05-20"}),
            Holding("BDCQZ", LAND, date(2013, 8, 8), None, {"location": "浙江省杭州市西湖区古墩路88号",
                    "title_number": "330106002003GB00088F00020502", "area": "102.3㎡", "use": "住宅"}),
            Holding("YYZZ", MARKET, date(2019, 3, 1), None, {"business_name": "杭州西湖张记小吃店",
                    "credit_code": "92330106MA2H0A1234", "scope": "餐饮服务", "premises": "浙江省杭州市西湖区古墩路90号"}),
            _sbk("330106198501170035", date(2018, 9, 1)))),
        DemoCitizen("刘洋", resident_id("33010619900604004"), (
            _id_card(date(1990, 6, 4), date(2018, 7, 7), "浙江省杭州市西湖区古墩路88号", sex="女"),
            _hukou("张伟", "妻", "浙江省杭州市西湖区古墩路88号", date(2012, 5, 20)),
            Holding("JHZ", CIVIL, date(2012, 5, 20), None, {"spouse_name": "张伟", "registered_on": "2012-05-20"}),
            Holding("CSYXZM", HOSPITAL, d - timedelta(days=20), None, {"child_name": "张小雨",
                    "child_birth": (d - timedelta(days=21)).isoformat(), "birthplace": "浙江省杭州市"}),
            _sbk("330106199006040046", date(2018, 9, 1)))),
        DemoCitizen("陈静", resident_id("33010619950219005"), (
            _id_card(date(1995, 2, 19), past.replace(year=past.year - 10), addr.format(66), until=past, sex="女"),
            _hukou("陈国平", "女", addr.format(66), date(1995, 3, 1)),
            _sbk("330106199502190058", date(2020, 1, 6)))),
        DemoCitizen("杨帆", resident_id("43010419880923006"), (
            _id_card(date(1988, 9, 23), date(2020, 11, 11), "湖南省长沙市岳麓区麓山南路3号", issuer=PSB_HUNAN),
            Holding("JZZ", PSB, d - timedelta(days=300), d + timedelta(days=65),
                    {"address": "浙江省杭州市西湖区留和路15号", "origin": "湖南省长沙市"}),
            Holding("JHZ", CIVIL, date(2016, 2, 14), None, {"spouse_name": "何琳", "registered_on": "2016-02-14"}),
            _sbk("330106198809230060", date(2021, 3, 3)))),
        DemoCitizen("赵磊", resident_id("33010619790505007"), (
            _id_card(date(1979, 5, 5), date(2009, 6, 1), "浙江省杭州市西湖区教工路21号"),
            _hukou("赵磊", "户主", "浙江省杭州市西湖区教工路21号", date(2004, 10, 1)),
            Holding("JHZ", CIVIL, date(2004, 10, 1), None, {"spouse_name": "黄丽", "registered_on": "2004-10-01"}),
            Holding("BDCQZ", LAND, date(2010, 4, 4), None, {"location": "浙江省杭州市西湖区教工路21号",
                    "title_number": "330106003002GB00021F00030301", "area": "120.0㎡", "use": "住宅"}),
            Holding("YYZZ", MARKET, date(2015, 6, 6), None, {"business_name": "杭州西湖赵磊五金店",
                    "credit_code": "92330106MA27B5678X", "scope": "五金零售", "premises": "浙江省杭州市西湖区教工路23号"},
                    revoked="注销登记（歇业） / deregistered (closed)"),
            _sbk("330106197905050072", date(2017, 5, 5)))),
        DemoCitizen("黄丽", resident_id("33010619930801008"), (
            _id_card(date(1993, 8, 1), date(2023, 8, 20), "浙江省杭州市西湖区教工路21号", sex="女"),
            _hukou("赵磊", "妻", "浙江省杭州市西湖区教工路21号", date(2004, 10, 1)),
            Holding("JHZ", CIVIL, date(2004, 10, 1), None, {"spouse_name": "赵磊", "registered_on": "2004-10-01"}),
            Holding("CSYXZM", HOSPITAL, d - timedelta(days=75), None, {"child_name": "赵一诺",
                    "child_birth": (d - timedelta(days=76)).isoformat(), "birthplace": "浙江省杭州市"}),
            _sbk("330106199308010084", date(2017, 5, 5)))),
        DemoCitizen("周杰", resident_id("33010620010430009"), (
            _id_card(date(2001, 4, 30), date(2019, 5, 10), "浙江省杭州市西湖区学院路77号"),
            _hukou("周建华", "子", "浙江省杭州市西湖区学院路77号", date(2001, 5, 15)),
            _sbk("330106200104300096", date(2022, 9, 1)))),
        DemoCitizen("吴敏", resident_id("33010619700228010"), (
            _id_card(date(1970, 2, 28), date(2016, 3, 3), "浙江省杭州市西湖区天目山路8号", sex="女"),
            _hukou("吴敏", "户主", "浙江省杭州市西湖区天目山路8号", date(1998, 1, 1)),
            Holding("JHZ", CIVIL, date(1995, 1, 8), None, {"spouse_name": "郑海", "registered_on": "1995-01-08"}),
            Holding("BDCQZ", LAND, date(2008, 12, 12), None, {"location": "浙江省杭州市西湖区天目山路8号",
                    "title_number": "330106004001GB00008F00011201", "area": "76.8㎡", "use": "住宅"}),
            _sbk("330106197002280108", date(2019, 8, 8)))),
        DemoCitizen("徐强", resident_id("34010419830716011"), (
            _id_card(date(1983, 7, 16), date(2012, 1, 5), "安徽省合肥市蜀山区长江西路5号", issuer=PSB_ANHUI),
            Holding("JZZ", PSB, past.replace(year=past.year - 1), past,
                    {"address": "浙江省杭州市西湖区三墩镇振华路2号", "origin": "安徽省合肥市"}),
            Holding("JHZ", CIVIL, date(2010, 10, 10), None, {"spouse_name": "马红", "registered_on": "2010-10-10"}))),
        DemoCitizen("孙婷", resident_id("33010619981111012"), (
            _id_card(date(1998, 11, 11), date(2016, 12, 1), "浙江省杭州市西湖区西溪路500号", sex="女"),
            _hukou("孙国强", "女", "浙江省杭州市西湖区西溪路500号", date(1998, 12, 1)),
            _sbk("330106199811110120", date(2020, 10, 10)))),
    ]


def seed(store: PlatformStore, day: date | None = None) -> list[dict[str, object]]:
    """Issue (once: a second run issues nothing new) every demo holding; returns the citizens with their
    identifiers."""
    out: list[dict[str, object]] = []
    serials: dict[str, int] = {}
    for citizen in citizens(day):
        identifiers: list[str] = []
        for h in citizen.holdings:
            serials[h.type_code] = serials.get(h.type_code, 0) + 1
            serial = f"{h.issuer.code[2:8]}{h.issued_on.year}{serials[h.type_code]:06d}"
            new = NewLicence(type_code=h.type_code, holder_id_number=citizen.id_number, holder_name=citizen.name,
                             issuer_name=h.issuer.name, issuer_code=h.issuer.code, serial=serial,
                             issued_on=h.issued_on, valid_from=h.issued_on, valid_until=h.valid_until, face=h.face)
            try:
                ident = issue(store, new, actor="platform:seed-demo").identifier
            except LicenceRefused as exc:
                if exc.code != "licence_exists":
                    raise
                from kiosk.licences.identifier import make_identifier

                ident = make_identifier(h.type_code, h.issuer.code, serial)
            if h.revoked:
                revoke(store, ident, h.revoked, actor="platform:seed-demo")
            identifiers.append(ident)
        out.append({"name": citizen.name, "id_number": citizen.id_number, "licences": identifiers})
    return out
