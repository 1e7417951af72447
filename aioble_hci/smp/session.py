"""The per-connection SMP state machine for the initiator (central) and responder (peripheral).

Sans-I/O, in the shape every core shares: the host feeds SMP PDUs (``receive(pdu, now)``), user
answers and HCI outcomes in, always with the current time; then it drains ``data_to_send()``
(PDUs for CID 0x0006, sent first) and ``take_events()`` (:data:`aioble_hci.smp.events.SmpEvent`).
Phases (Core Vol 3 Part H, 2.1): 1 feature exchange (here), 2 legacy or LE SC key generation
(:mod:`.legacy`, :mod:`.secure_connections`), then encryption and 3 key distribution
(:mod:`.distribution`). The 30-second SMP timeout (3.4) is the session's own deadline:
``get_timer()`` says when to call ``handle_timer(now)``.

State changes go through ``_set_state`` against :data:`SMP_TRANSITIONS`; anything else raises
:class:`IllegalSmpTransition` (a bug, never peer input: PDUs are checked against the state first).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from enum import Enum, auto

from aioble_hci.address import Address
from aioble_hci.errors import UsageError
from aioble_hci.smp import toolbox
from aioble_hci.smp.attempts import RepeatedAttempts
from aioble_hci.smp.config import SecurityConfig
from aioble_hci.smp.context import PairingContext
from aioble_hci.smp.distribution import KEY_DISTRIBUTION_PDUS, KeyReceiver, local_key_pdus
from aioble_hci.smp.entropy import RandomSource, system_random
from aioble_hci.smp.events import (
    DistributedKeys,
    PairingAborted,
    PairingComplete,
    PairingKeys,
    PeerKeypress,
    ReplyLtk,
    SecurityRequested,
    SmpEvent,
    StartEncryption,
)
from aioble_hci.smp.legacy import LegacyPairing
from aioble_hci.smp.methods import MethodChoice, PairingMethod, select_method
from aioble_hci.smp.pdus import (
    AuthReq,
    KeyDistribution,
    OobDataFlag,
    PairingError,
    PairingFailed,
    PairingFailedReason,
    PairingKeypressNotification,
    PairingRequest,
    PairingResponse,
    SecurityRequest,
    SmpDecodeError,
    SmpPdu,
    parse_pdu,
)
from aioble_hci.smp.secure_connections import LocalOob, OobData, SecureConnectionsPairing
from aioble_hci.smp.toolbox import P256KeyPair

log = logging.getLogger(__name__)

_MAX_PASSKEY = 999_999


class SmpState(Enum):
    """Where a pairing stands: phase 1, phase 2, encryption, phase 3 key distribution (Vol 3 Part H, 2.1)."""

    IDLE = auto()
    WAIT_PAIRING_RESPONSE = auto()
    PHASE2 = auto()
    WAIT_ENCRYPTION = auto()
    KEY_DISTRIBUTION = auto()
    """The link is encrypted; our keys are not sent yet (the initiator waits for the responder's)."""
    LOCAL_KEYS_SENT = auto()
    """Our keys are sent; the peer's remaining keys are still due (3.6.1)."""
    TIMED_OUT = auto()
    """3.4: after the SMP timeout no further SMP command is sent or taken on this link."""


class IllegalSmpTransition(UsageError, RuntimeError):
    """The session was asked to move between states :data:`SMP_TRANSITIONS` does not link."""


_ABORTED = frozenset({SmpState.IDLE, SmpState.TIMED_OUT})
SMP_TRANSITIONS: dict[SmpState, frozenset[SmpState]] = {
    # Phase 1 starts with our Pairing Request (central) or the peer's (peripheral), 3.5.1.
    SmpState.IDLE: frozenset({SmpState.WAIT_PAIRING_RESPONSE, SmpState.PHASE2}),
    # Every state in progress may fail (back to IDLE) or time out (3.4).
    SmpState.WAIT_PAIRING_RESPONSE: frozenset({SmpState.PHASE2}) | _ABORTED,
    SmpState.PHASE2: frozenset({SmpState.WAIT_ENCRYPTION}) | _ABORTED,
    SmpState.WAIT_ENCRYPTION: frozenset({SmpState.KEY_DISTRIBUTION}) | _ABORTED,
    SmpState.KEY_DISTRIBUTION: frozenset({SmpState.LOCAL_KEYS_SENT}) | _ABORTED,
    # Completion (all keys through) and failure both end in IDLE.
    SmpState.LOCAL_KEYS_SENT: _ABORTED,
    SmpState.TIMED_OUT: frozenset(),
}
"""Every state change an SMP session may make (Vol 3 Part H, 2.1 phases, 3.4 timeout)."""

_PHASE3 = (SmpState.KEY_DISTRIBUTION, SmpState.LOCAL_KEYS_SENT)


class SmpSession:
    """Pairing on one LE connection. ``central`` is the initiator (Vol 3 Part H, 2.3).

    ``local_address``/``peer_address`` are the addresses the connection was made with (used in c1,
    f5, f6). ``local_oob`` is the OOB data we handed out, ``peer_oob`` the data we received.
    ``key_pair`` fixes our P-256 key pair for LE Secure Connections (None: a fresh one per pairing;
    the debug key of Vol 3 Part H, 2.3.5.6.1 for conformance work) and ``random`` is where every
    nonce, passkey and distributed key is drawn from (:mod:`aioble_hci.smp.entropy`).

    Distributed keys are taken only over the encrypted link (Vol 3 Part H, 3.6.1): a key PDU
    that arrives before our Encryption Change is refused with Pairing Failed Key Rejected, unless
    ``hold_keys_until_encrypted`` says the transport may deliver the peer's first encrypted ACL
    data ahead of the Encryption Change event (USB: events and ACL data come on separate
    endpoints); then at most the PDUs still expected are held and taken once the link is
    encrypted, and dropped if encryption fails.
    """

    def __init__(
        self,
        *,
        central: bool,
        local_address: Address,
        peer_address: Address,
        config: SecurityConfig | None = None,
        attempts: RepeatedAttempts | None = None,
        local_oob: LocalOob | None = None,
        peer_oob: OobData | None = None,
        key_pair: P256KeyPair | None = None,
        random: RandomSource = system_random,
        hold_keys_until_encrypted: bool = False,
    ) -> None:
        self.central = central
        self.hold_keys_until_encrypted = hold_keys_until_encrypted
        self.local_address = local_address
        self.peer_address = peer_address
        self.config = config or SecurityConfig()
        self.attempts = attempts if attempts is not None else RepeatedAttempts()
        self.local_oob = local_oob
        self.peer_oob = peer_oob
        self._key_pair = key_pair
        self._random = random
        self._state = SmpState.IDLE
        self._deadline: float | None = None
        self._now = 0.0
        self._pdus: list[bytes] = []
        self._events: list[SmpEvent] = []
        self._reset()

    def _reset(self) -> None:
        self._request: PairingRequest | None = None
        self._context: PairingContext | None = None
        self._phase2: LegacyPairing | SecureConnectionsPairing | None = None
        self._key: bytes | None = None
        self._sc = False
        self._bonded = False
        self._local_keys = DistributedKeys()
        self._local_kd = KeyDistribution(0)
        self._receiver: KeyReceiver | None = None
        self._held: list[SmpPdu] = []

    # -- state -----------------------------------------------------------------------------------
    @property
    def state(self) -> SmpState:
        """Where the pairing stands; it changes only through ``_set_state``."""
        return self._state

    def _set_state(self, new: SmpState) -> None:
        if new not in SMP_TRANSITIONS[self._state]:
            raise IllegalSmpTransition(f"SMP {self._state.name} -> {new.name} is not allowed")
        log.debug("SMP %s -> %s", self._state.name, new.name)
        self._state = new

    # -- the contract: output and timer ----------------------------------------------------------
    def data_to_send(self) -> list[bytes]:
        """SMP PDUs for the fixed channel 0x0006, in order; send them before handling events."""
        pdus, self._pdus = self._pdus, []
        return pdus

    def take_events(self) -> list[SmpEvent]:
        """Events produced since the last call."""
        events, self._events = self._events, []
        return events

    def get_timer(self) -> float | None:
        """When ``handle_timer`` must be called: the SMP timeout of the pairing running (3.4)."""
        return self._deadline

    def handle_timer(self, now: float) -> None:
        """Let time pass: fails the pairing once the 30 s SMP timeout is reached (3.4)."""
        self._begin(now)

    # -- output plumbing (the Phase2Host protocol) -----------------------------------------------
    def send(self, pdu: SmpPdu) -> None:
        log.debug("SMP send %s", pdu)
        self._pdus.append(pdu.to_bytes())
        if self.state is not SmpState.IDLE:
            self._deadline = self._now + self.config.timeout  # 3.4: reset when a command is queued

    def emit(self, event: SmpEvent) -> None:
        self._events.append(event)

    def _begin(self, now: float) -> None:
        self._now = now
        self._check_timeout(now)

    @property
    def in_progress(self) -> bool:
        """A pairing is running: LTK requests go to :meth:`long_term_key_request`."""
        return self.state not in (SmpState.IDLE, SmpState.TIMED_OUT)

    # -- timeout (Vol 3 Part H, 3.4) -----------------------------------------------------------
    def _check_timeout(self, now: float) -> None:
        if self.in_progress and self._deadline is not None and now >= self._deadline:
            log.warning("SMP timeout with %s: no further SMP on this link", self.peer_address)
            self._reset()
            self._set_state(SmpState.TIMED_OUT)
            self._deadline = None
            self.emit(PairingAborted(PairingFailedReason.UNSPECIFIED_REASON, timed_out=True))

    # -- local starts ----------------------------------------------------------------------------
    def pair(self, now: float) -> None:
        """Central: start pairing with a Pairing Request (Vol 3 Part H, 3.5.1)."""
        self._begin(now)
        if not self.central:
            raise RuntimeError("only the central initiates pairing; use request_security()")
        if self.state is SmpState.TIMED_OUT:
            self.emit(PairingAborted(PairingFailedReason.UNSPECIFIED_REASON, timed_out=True))
        elif self.in_progress:
            log.debug("pairing already in progress")
        elif self.attempts.blocked(self.peer_address, now):
            self.emit(PairingAborted(PairingFailedReason.REPEATED_ATTEMPTS))
        else:
            initiator_keys, responder_keys = self._offered_keys()
            self._request = PairingRequest(
                self.config.io_capability,
                self._oob_flag(),
                self._auth_req(),
                self.config.max_key_size,
                initiator_keys,
                responder_keys,
            )
            self._set_state(SmpState.WAIT_PAIRING_RESPONSE)
            self.send(self._request)

    def request_security(self, now: float) -> None:
        """Peripheral: ask the central to pair or encrypt (Security Request, 3.6.7)."""
        self._begin(now)
        if self.central:
            raise RuntimeError("only the peripheral sends a Security Request")
        if self.state is SmpState.IDLE:
            self.send(SecurityRequest(self._auth_req()))

    def _auth_req(self) -> int:
        cfg = self.config
        flags = AuthReq(0)
        for enabled, flag in (
            (cfg.bonding, AuthReq.BONDING),
            (cfg.mitm_flag, AuthReq.MITM),
            (cfg.secure_connections, AuthReq.SC),
            (cfg.keypress, AuthReq.KEYPRESS),
            (cfg.ct2, AuthReq.CT2),
        ):
            if enabled:
                flags |= flag
        return int(flags)

    def _oob_flag(self) -> OobDataFlag:
        if self.config.secure_connections and self.peer_oob is not None:
            return OobDataFlag.OOB_AUTH_DATA_FROM_REMOTE_DEVICE_PRESENT
        return OobDataFlag.OOB_AUTH_DATA_NOT_PRESENT

    def _offered_keys(self) -> tuple[KeyDistribution, KeyDistribution]:
        """Keys we offer/accept: none without bonding; ID key only with a local identity."""
        if not self.config.bonding:
            return KeyDistribution(0), KeyDistribution(0)
        mine = self.config.initiator_keys if self.central else self.config.responder_keys
        theirs = self.config.responder_keys if self.central else self.config.initiator_keys
        mine &= ~KeyDistribution.LINK_KEY
        theirs &= ~KeyDistribution.LINK_KEY
        if self.config.identity is None:
            mine &= ~KeyDistribution.ID_KEY
        return (mine, theirs) if self.central else (theirs, mine)

    # -- user answers --------------------------------------------------------------------------
    def passkey_reply(self, passkey: int | None, now: float) -> None:
        """The passkey the user typed, or None if they cancelled (Passkey Entry Failed)."""
        self._begin(now)
        phase2 = self._phase2
        if phase2 is None or not phase2.waiting_for_passkey:
            log.warning("passkey reply with no passkey request pending: ignored")
            return
        if passkey is None or not 0 <= passkey <= _MAX_PASSKEY:
            self._fail(PairingFailedReason.PASSKEY_ENTRY_FAILED)
        else:
            self._guard(lambda: phase2.passkey_reply(passkey))

    def numeric_comparison_reply(self, accept: bool, now: float) -> None:
        """The user's yes/no to the Numeric Comparison value."""
        self._begin(now)
        phase2 = self._phase2
        if not isinstance(phase2, SecureConnectionsPairing) or not phase2.waiting_for_confirmation:
            log.warning("numeric comparison reply with no comparison pending: ignored")
            return
        self._guard(lambda: phase2.numeric_comparison_reply(accept))

    # -- HCI outcomes ----------------------------------------------------------------------------
    def long_term_key_request(self, ediv: int, rand: bytes, now: float) -> None:
        """Peripheral: the controller asks for the key; only a verified phase-2 key is given.

        Before phase 2 is verified (or for a non-zero EDIV/Rand during pairing) the answer is a
        negative reply (SweynTooth Zero-LTK / DHCheck-skip). Outside pairing the host answers
        from its bond store instead.
        """
        self._begin(now)
        key = None
        if self.state is SmpState.WAIT_ENCRYPTION and ediv == 0 and rand == bytes(8):
            key = self._key
        self.emit(ReplyLtk(key))

    def encryption_changed(self, encrypted: bool, now: float) -> None:
        """HCI Encryption Change (or Key Refresh Complete) for this link."""
        self._begin(now)
        if self.state is not SmpState.WAIT_ENCRYPTION:
            return
        if not encrypted:
            self._fail(PairingFailedReason.UNSPECIFIED_REASON, send=False)
            return
        self._set_state(SmpState.KEY_DISTRIBUTION)
        held, self._held = self._held, []
        self._guard(self._distribute)
        for pdu in held:  # keys that overtook the Encryption Change event, in arrival order
            if self.state not in _PHASE3:
                break
            self._guard(functools.partial(self._dispatch, pdu))

    # -- receive ---------------------------------------------------------------------------------
    def receive(self, data: bytes, now: float) -> None:
        """One PDU from the SMP fixed channel."""
        self._begin(now)
        if self.state is SmpState.TIMED_OUT:
            log.debug("SMP PDU after timeout ignored")
            return
        try:
            pdu = parse_pdu(data)
        except SmpDecodeError as error:
            log.warning("bad SMP PDU %s: %s", data.hex(), error)
            self._fail(error.reason)
            return
        log.debug("SMP recv %s", pdu)
        if self.in_progress:
            self._deadline = now + self.config.timeout
        self._guard(lambda: self._dispatch(pdu))

    def _guard(self, action: Callable[[], None]) -> None:
        try:
            action()
        except PairingError as error:
            log.info("pairing with %s failed: %s", self.peer_address, error)
            self._fail(error.reason)

    def _fail(
        self, reason: PairingFailedReason, *, send: bool = True, remote: bool = False
    ) -> None:
        was_pairing = self.in_progress
        if send:
            self._pdus.append(PairingFailed(reason).to_bytes())
        if was_pairing or remote:
            self.emit(PairingAborted(reason, remote=remote))
            if reason is not PairingFailedReason.REPEATED_ATTEMPTS or remote:
                self.attempts.failed(self.peer_address, self._now)
        self._reset()
        if self.state is not SmpState.IDLE:
            self._set_state(SmpState.IDLE)
        self._deadline = None

    def _dispatch(self, pdu: SmpPdu) -> None:
        if isinstance(pdu, PairingFailed):
            if self.in_progress:
                self._fail(pdu.reason, send=False, remote=True)
            return
        if isinstance(pdu, PairingKeypressNotification):
            if self.in_progress:
                self.emit(PeerKeypress(pdu.notification_type))
            return
        if isinstance(pdu, SecurityRequest):
            if not self.central:
                raise PairingError(
                    PairingFailedReason.COMMAND_NOT_SUPPORTED, "Security Request to a peripheral"
                )
            if self.state is SmpState.IDLE:
                self.emit(SecurityRequested(pdu.flags))
            else:
                log.debug("Security Request during pairing ignored (SM/CEN/PIS/BV-03-C)")
            return
        if isinstance(pdu, PairingRequest):
            if self.central:
                raise PairingError(
                    PairingFailedReason.COMMAND_NOT_SUPPORTED, "Pairing Request to a central"
                )
            if self.state is not SmpState.IDLE:
                raise PairingError(
                    PairingFailedReason.UNSPECIFIED_REASON, "Pairing Request mid-pairing"
                )
            self._on_pairing_request(pdu)
            return
        if isinstance(pdu, PairingResponse):
            if self.state is not SmpState.WAIT_PAIRING_RESPONSE:
                raise PairingError(
                    PairingFailedReason.UNSPECIFIED_REASON, "unexpected Pairing Response"
                )
            self._on_pairing_response(pdu)
            return
        if self.state is SmpState.PHASE2 and self._phase2 is not None:
            self._phase2.receive(pdu)
            return
        if self._receiver is not None and self.state in (SmpState.WAIT_ENCRYPTION, *_PHASE3):
            if self.state is SmpState.WAIT_ENCRYPTION and isinstance(pdu, KEY_DISTRIBUTION_PDUS):
                self._key_before_encryption(pdu)
                return
            if self.central and not self._receiver.done:
                self._receiver.receive(pdu)
                if self.state in _PHASE3:
                    self._distribute()
                return
            if not self.central and self.state is SmpState.LOCAL_KEYS_SENT:
                self._receiver.receive(pdu)
                self._distribute()
                return
        raise PairingError(
            PairingFailedReason.UNSPECIFIED_REASON, f"unexpected {type(pdu).__name__}"
        )

    def _key_before_encryption(self, pdu: SmpPdu) -> None:
        """A key PDU before our Encryption Change: hold it (bounded) or refuse it (Vol 3 Part H, 3.6.1).

        Key Rejected (0x0F, 3.5.5: "the device chose not to accept a distributed key") names
        what happens: the key is refused, not the PDU's format or our state machine's surprise.
        """
        assert self._receiver is not None
        if self.hold_keys_until_encrypted and len(self._held) < self._receiver.remaining:
            log.debug("%s before Encryption Change: held until the link is encrypted", type(pdu).__name__)
            self._held.append(pdu)
            return
        raise PairingError(
            PairingFailedReason.KEY_REJECTED,
            f"{type(pdu).__name__} on a link that is not encrypted yet",
        )

    # -- phase 1 ---------------------------------------------------------------------------------
    def _on_pairing_request(self, request: PairingRequest) -> None:
        self._set_state(SmpState.PHASE2)  # in progress from here: failures are reported
        self._deadline = self._now + self.config.timeout
        if self.attempts.blocked(self.peer_address, self._now):
            raise PairingError(PairingFailedReason.REPEATED_ATTEMPTS, "waiting interval not over")
        key_size = self._negotiate_key_size(request.max_encryption_key_size)
        sc = self._negotiate_sc(request.flags)
        offered_initiator, offered_responder = self._offered_keys()
        bonded = self.config.bonding and AuthReq.BONDING in request.flags
        if bonded:
            initiator_keys = (
                KeyDistribution.known(request.initiator_key_distribution) & offered_initiator
            )
            responder_keys = (
                KeyDistribution.known(request.responder_key_distribution) & offered_responder
            )
        else:
            initiator_keys = responder_keys = KeyDistribution(0)
        oob_flag = self._oob_flag() if sc else OobDataFlag.OOB_AUTH_DATA_NOT_PRESENT
        auth = self._auth_req()
        if not sc:
            auth &= ~AuthReq.SC
        if not bonded:
            auth &= ~AuthReq.BONDING
        response = PairingResponse(
            self.config.io_capability,
            oob_flag,
            auth,
            self.config.max_key_size,
            initiator_keys,
            responder_keys,
        )
        self._start_phase2(request, response, key_size, sc, bonded)
        self.send(response)
        self._phase2_start()

    def _on_pairing_response(self, response: PairingResponse) -> None:
        request = self._request
        assert request is not None
        self._set_state(SmpState.PHASE2)
        key_size = self._negotiate_key_size(response.max_encryption_key_size)
        sc = self._negotiate_sc(response.flags)
        bonded = bool(AuthReq.BONDING in request.flags and AuthReq.BONDING in response.flags)
        self._start_phase2(request, response, key_size, sc, bonded)
        self._phase2_start()

    def _negotiate_key_size(self, peer_max: int) -> int:
        """Vol 3 Part H, 2.3.4: the smaller maximum, refused under our minimum (SM/.../EKS/BI)."""
        if not 7 <= peer_max <= 16:
            raise PairingError(PairingFailedReason.ENCRYPTION_KEY_SIZE, f"peer key size {peer_max}")
        size = min(peer_max, self.config.max_key_size)
        if size < self.config.min_key_size:
            raise PairingError(
                PairingFailedReason.ENCRYPTION_KEY_SIZE,
                f"key size {size} below our minimum {self.config.min_key_size}",
            )
        return size

    def _negotiate_sc(self, peer_flags: AuthReq) -> bool:
        sc = self.config.secure_connections and AuthReq.SC in peer_flags
        if self.config.sc_only and not sc:
            raise PairingError(
                PairingFailedReason.AUTHENTICATION_REQUIREMENTS, "Secure Connections only"
            )
        return bool(sc)

    def _start_phase2(
        self,
        request: PairingRequest,
        response: PairingResponse,
        key_size: int,
        sc: bool,
        bonded: bool,
    ) -> None:
        choice = select_method(
            secure_connections=sc,
            initiator_io=request.io_capability,
            responder_io=response.io_capability,
            initiator_oob=bool(request.oob_data_flag),
            responder_oob=bool(response.oob_data_flag),
            initiator_mitm=AuthReq.MITM in request.flags,
            responder_mitm=AuthReq.MITM in response.flags,
        )
        self._check_policy(choice)
        initiator, responder = (
            (self.local_address, self.peer_address)
            if self.central
            else (self.peer_address, self.local_address)
        )
        self._context = PairingContext(
            self.central, request, response, initiator, responder, choice, key_size
        )
        self._sc = sc
        self._bonded = bonded
        if self.central:
            self._local_kd = KeyDistribution.known(
                response.initiator_key_distribution
            ) & KeyDistribution.known(request.initiator_key_distribution)
            peer_kd = KeyDistribution.known(
                response.responder_key_distribution
            ) & KeyDistribution.known(request.responder_key_distribution)
        else:
            self._local_kd = KeyDistribution(response.responder_key_distribution)
            peer_kd = KeyDistribution(response.initiator_key_distribution)
        self._local_kd &= ~KeyDistribution.LINK_KEY
        self._receiver = KeyReceiver(peer_kd & ~KeyDistribution.LINK_KEY, sc)
        if sc:
            self._phase2 = SecureConnectionsPairing(
                self._context,
                self,
                key_pair=self._key_pair or P256KeyPair.generate(),
                local_oob=self.local_oob,
                peer_oob=self.peer_oob,
                allow_debug_keys=self.config.allow_debug_keys,
                random=self._random,
            )
        else:
            self._phase2 = LegacyPairing(self._context, self, self._random)

    def _check_policy(self, choice: MethodChoice) -> None:
        """Never accept a method weaker than the local policy requires (P7, CVE-2026-43334).

        Only ``mitm`` is a requirement; ``mitm_requested`` sent the flag and accepts Just Works.
        """
        if self.config.mitm and not choice.authenticated:
            raise PairingError(
                PairingFailedReason.AUTHENTICATION_REQUIREMENTS,
                "policy requires MITM protection but the IO capabilities give Just Works",
            )

    def _phase2_start(self) -> None:
        assert self._phase2 is not None
        self._phase2.start()

    # -- after phase 2 ---------------------------------------------------------------------------
    def phase2_done(self, key: bytes) -> None:
        """Phase 2 verified: mask the key to the negotiated size, then encrypt (2.3.4)."""
        assert self._context is not None
        size = self._context.key_size
        masked = bytes(16 - size) + key[16 - size :]
        self._key = toolbox.swap(masked)
        self._set_state(SmpState.WAIT_ENCRYPTION)
        if self.central:
            self.emit(StartEncryption(self._key, 0, bytes(8)))

    def _distribute(self) -> None:
        """Responder sends its keys first, then the initiator; done when both are through."""
        assert self._receiver is not None and self._context is not None
        if self.state is SmpState.KEY_DISTRIBUTION and (not self.central or self._receiver.done):
            self._local_keys, pdus = local_key_pdus(
                self._local_kd,
                sc=self._sc,
                key_size=self._context.key_size,
                identity=self.config.identity,
                csrk=self.config.csrk,
                random=self._random,
            )
            for pdu in pdus:
                self.send(pdu)
            self._set_state(SmpState.LOCAL_KEYS_SENT)
        if self.state is SmpState.LOCAL_KEYS_SENT and self._receiver.done:
            self._complete()

    def _complete(self) -> None:
        assert self._receiver is not None and self._context is not None
        keys = PairingKeys(
            ltk=self._key if self._sc else None, local=self._local_keys, peer=self._receiver.keys
        )
        context = self._context
        event = PairingComplete(
            keys=keys,
            method=context.choice.method,
            authenticated=context.choice.authenticated,
            sc=self._sc,
            key_size=context.key_size,
            bonded=self._bonded,
        )
        self.attempts.succeeded(self.peer_address)
        self._reset()
        self._set_state(SmpState.IDLE)
        self._deadline = None
        self.emit(event)


__all__ = ["SMP_TRANSITIONS", "IllegalSmpTransition", "PairingMethod", "SmpSession", "SmpState"]
