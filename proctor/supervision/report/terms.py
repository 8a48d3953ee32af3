"""The closed sets of terms a 督导报告 uses, spelled exactly as printed."""

from __future__ import annotations

from enum import StrEnum


class Level(StrEnum):
    """职业技能等级."""

    FIVE = "五级"
    FOUR = "四级"
    THREE = "三级"
    TWO = "二级"
    ONE = "一级"


class Mode(StrEnum):
    """认定方式."""

    THEORY = "理论知识考试"
    PRACTICAL = "操作技能考核"
    REVIEW = "综合评审"


class Side(StrEnum):
    """Who supervises: the centre (外督) or the organisation itself (内督)."""

    EXTERNAL = "外督"
    INTERNAL = "内督"


class Manner(StrEnum):
    """How the session was supervised."""

    ON_SITE = "现场"
    ONLINE = "线上"
    REPLAY = "回放"


class CheckItem(StrEnum):
    """The checklist items, in the order the report prints them."""

    IDENTITY = "人证一致/代考"
    ROOM = "考场布置"
    EXAMINERS = "考评员资质与配比"
    RULES = "守则宣读"
    VIDEO = "视频覆盖"
    SIGN_IN = "签到与记录表"
    SCORING = "评分执行"
    SAFETY = "安全"


class Answer(StrEnum):
    """A checklist answer."""

    YES = "是"
    NO = "否"
    NOT_APPLICABLE = "不适用"


class Severity(StrEnum):
    """How serious a finding is."""

    MINOR = "一般"
    SERIOUS = "较重"
    GRAVE = "严重"


class Conclusion(StrEnum):
    """督导结论."""

    PASSED = "合格"
    ACCEPTED_AFTER_RECTIFICATION = "整改后认可"
    NOT_ACCEPTED = "不予认可"
