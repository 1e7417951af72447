"""One link-security type for every layer (issue 18, item 5): SMP reports it, ATT checks attribute
permissions against it (Vol 3 Part F 3.2.5, Vol 3 Part C 10.3.1), L2CAP checks an SPSM's
requirements against it (Vol 3 Part A 4.23)."""

from __future__ import annotations

import pytest

import aioble_hci.host.smp as host_smp
from aioble_hci.att import database
from aioble_hci.att.pdus import ErrorCode
from aioble_hci.l2cap import spsm
from aioble_hci.l2cap.pdus import LeCreditBasedConnectionResult
from aioble_hci.security import LinkSecurity


def test_att_l2cap_and_smp_name_the_same_type() -> None:
    assert database.SecurityState is LinkSecurity
    assert spsm.LinkSecurity is LinkSecurity
    assert host_smp.LinkSecurity is LinkSecurity
    assert not hasattr(host_smp, "SecurityState")


@pytest.mark.parametrize(
    ("security", "level"),
    [
        (LinkSecurity(), 1),  # no security
        (LinkSecurity(encrypted=True, key_size=16), 2),  # unauthenticated pairing with encryption
        (LinkSecurity(encrypted=True, authenticated=True, key_size=16), 3),  # authenticated
        (LinkSecurity(encrypted=True, authenticated=True, key_size=16, sc=True), 4),  # LE SC
        (LinkSecurity(encrypted=True, authenticated=True, key_size=7, sc=True), 3),  # 4 needs 16 octets
    ],
)
def test_level_is_le_security_mode_1(security: LinkSecurity, level: int) -> None:
    """Vol 3 Part C, 10.2.1: the four levels of LE security mode 1."""
    assert security.level == level


def test_one_value_gets_the_same_verdict_from_att_and_l2cap() -> None:
    """An encrypted but unauthenticated link: ATT answers Insufficient Authentication (Vol 3
    Part F 3.4.1.1) and L2CAP refuses the channel with the same reason (Vol 3 Part A 4.23)."""
    link = LinkSecurity(encrypted=True, key_size=16, bonded=True)
    att = database.security_error(
        link, encrypt=True, authenticate=True, authorize=False, min_key_size=7
    )
    l2cap = spsm.SecurityRequirement(encryption=True, authentication=True).check(link)
    assert att is ErrorCode.INSUFFICIENT_AUTHENTICATION
    assert l2cap is LeCreditBasedConnectionResult.INSUFFICIENT_AUTHENTICATION


def test_the_value_is_frozen() -> None:
    with pytest.raises(AttributeError):
        LinkSecurity().encrypted = True  # type: ignore[misc]
