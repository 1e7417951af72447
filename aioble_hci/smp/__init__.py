"""Security Manager (Core Vol 3 Part H): sans-I/O pairing, bonding and the crypto toolbox.

- ``toolbox``: e, c1, s1, ah (+ ``ah_le``/``rpa_matches_le``), f4, f5, f6, g2, h6, h7, AES-CMAC,
  P-256 key pairs with peer-key validation. Spec (MSB-first) byte order.
- ``pdus``: SMP PDU dataclasses, enums and ``parse_pdu`` (on-air byte order).
- ``methods``: pairing method selection (tables 2.6-2.8).
- ``session.SmpSession``: the per-connection pairing state machine (initiator or responder),
  driven by ``receive``/``pair``/``request_security``/user replies/HCI outcomes (each with
  ``now``); drain ``data_to_send()`` (PDUs, sent first) then ``take_events()``; ``get_timer()`` /
  ``handle_timer(now)`` run the SMP timeout. ``config.SecurityConfig`` is the policy.
- ``legacy``, ``secure_connections`` (with OOB data), ``distribution``: the pairing phases.
- ``attempts.RepeatedAttempts``: back-off after failures, shared across connections.
- ``bonds.BondStore``: bonds in memory and their JSON form, lookup by identity or RPA (the
  file is ``aioble_hci.host.smp.bond_file.FileBondStore``).
"""
