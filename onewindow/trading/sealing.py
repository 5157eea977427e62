"""Sealed bids (密封投标; RULES.md: bids are sealed until the opening time; decision 44).

Each project has its own key pair (X25519), made at the announcement. The public half seals bids;
the private half — the key that opens them — is stored only wrapped: AES-GCM under the platform
key (settings.ONEWINDOW_TRADING_KEY, kept outside the database), the project's number as
associated data. So a database dump holds no key it can use, and the system never holds the
opening key before the opening time: `project_key` is the one place it is unwrapped, and it
refuses (403 trading.sealed) before then. Every reader of a bid (API, pages, admin, exports) goes
through `open_document`, so none can read a bid early — the check is here, not in each of them.

A bid is sealed to the project's public key (ECIES: an ephemeral X25519 key, HKDF-SHA256, AES-GCM),
its associated data binding it to the project, the bidder and the version: a ciphertext copied
onto another bid does not open.

The receipt: the bidder's document is canonical JSON (keys sorted, no spaces, UTF-8) of what it
sent; its SHA-256 is the receipt. At the opening the decrypted bytes are hashed again and must
equal the receipt — the bidder can recompute the digest from its own copy."""

import base64
import hashlib
import json
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

from onewindow import clock
from onewindow.errors import Forbidden

NONCE_BYTES = 12


class SealBroken(Exception):
    """A ciphertext or wrapped key that does not decrypt (tampered, or the wrong platform key)."""


def platform_key() -> bytes:
    """The key that wraps every project key: ONEWINDOW_TRADING_KEY (base64 of 32 bytes); in
    development, when unset, one derived from SECRET_KEY (HKDF, its own label)."""
    configured = settings.ONEWINDOW_TRADING_KEY
    if configured:
        return base64.b64decode(configured)
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"onewindow trading key wrap").derive(
        settings.SECRET_KEY.encode()
    )


def new_key_pair(number: str) -> tuple[bytes, bytes]:
    """(public key, wrapped private key) of a new project: the public half (32 bytes) seals its
    bids; the private half is kept as nonce ‖ AES-GCM ciphertext under the platform key."""
    private = X25519PrivateKey.generate()
    raw = private.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                serialization.NoEncryption())  # fmt: skip
    public = private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    nonce = os.urandom(NONCE_BYTES)
    return public, nonce + AESGCM(platform_key()).encrypt(nonce, raw, number.encode())


def _unwrap(number: str, sealed_key: bytes) -> X25519PrivateKey:
    sealed_key = bytes(sealed_key)
    try:
        raw = AESGCM(platform_key()).decrypt(
            sealed_key[:NONCE_BYTES], sealed_key[NONCE_BYTES:], number.encode()
        )
    except InvalidTag:
        raise SealBroken(f"project key of {number} does not unwrap") from None
    return X25519PrivateKey.from_private_bytes(raw)


def is_open(project, at=None) -> bool:
    """Whether the project's bids may be read: at or after the opening time."""
    return (at or clock.now()) >= project.opening_at


def project_key(project) -> X25519PrivateKey:
    """The project's opening key, only at or after the opening time (else 403 trading.sealed)."""
    if not is_open(project):
        raise Forbidden("trading.sealed", "开标时间未到，投标文件处于密封状态，任何人不得查看。",
                        details={"opening_at": project.opening_at.isoformat()})  # fmt: skip
    return _unwrap(project.number, project.sealed_key)


def _content_key(shared: bytes, ephemeral: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=ephemeral, info=b"onewindow sealed bid").derive(
        shared
    )


def _aad(number: str, credit_code: str, version: int) -> bytes:
    return f"{number}|{credit_code}|{version}".encode()


def canonical(document: dict) -> bytes:
    """The bytes that are sealed and hashed: JSON, keys sorted, no spaces, UTF-8."""
    return json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def seal(project, credit_code: str, version: int, data: bytes) -> tuple[bytes, bytes]:
    """(nonce, ciphertext) of a bid's bytes, sealed to the project's public key. The nonce field
    holds the ephemeral public key (32 bytes) ‖ the AES-GCM nonce (12 bytes)."""
    ephemeral = X25519PrivateKey.generate()
    ephemeral_public = ephemeral.public_key().public_bytes(serialization.Encoding.Raw,
                                                            serialization.PublicFormat.Raw)  # fmt: skip
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(bytes(project.public_key)))
    nonce = os.urandom(NONCE_BYTES)
    ciphertext = AESGCM(_content_key(shared, ephemeral_public)).encrypt(
        nonce, data, _aad(project.number, credit_code, version)
    )
    return ephemeral_public + nonce, ciphertext


def open_document(bid) -> tuple[bytes, dict]:
    """(bytes, document) of a bid — 403 before the opening time; SealBroken when the stored bytes
    were tampered with."""
    project = bid.project
    private = project_key(project)
    header = bytes(bid.nonce)
    ephemeral_public, nonce = header[:32], header[32:]
    try:
        shared = private.exchange(X25519PublicKey.from_public_bytes(ephemeral_public))
        data = AESGCM(_content_key(shared, ephemeral_public)).decrypt(
            nonce, bytes(bid.ciphertext), _aad(project.number, bid.bidder.credit_code, bid.version)
        )
    except (InvalidTag, ValueError):
        raise SealBroken(f"bid {bid.pk} of {project.number} does not decrypt") from None
    return data, json.loads(data)
