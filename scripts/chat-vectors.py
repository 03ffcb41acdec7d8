#!/usr/bin/env python3
"""Known-answer vectors for the chat's X3DH (start v2), KDF_RK and KDF_CK.

Computed from outside the code under test: X25519, Ed25519, HKDF and HMAC come
from Debian's python3-cryptography (OpenSSL), never from the core or
libsodium. The formulas are the ones core/src/chat/chat.md states. The output,
core/tests/data/chat-vectors.json, is committed; the ctest test_chat_vectors
compares the core's own functions with it. The tests never run this script:
run it only to regenerate the file (and say why in the commit):

    python3 scripts/chat-vectors.py > core/tests/data/chat-vectors.json

Inputs are fixed and documented: every secret is SHA-256 of a label,
"PetAmigos vector <name>", so anyone can recompute them without this script.
"""

import hashlib
import hmac
import json
import struct
import sys

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

RAW = serialization.Encoding.Raw
RAW_PUB = serialization.PublicFormat.Raw

X3DH_INFO = b"PetAmigos X3DH v2"
START_VERSION = 0x03
RATCHET_INFO = b"PetAmigos Ratchet v1"
SPK_ID = 7
OPK_ID = 42


def secret(name):
    """A fixed 32-byte secret: SHA-256("PetAmigos vector " + name)."""
    return hashlib.sha256(b"PetAmigos vector " + name.encode()).digest()


def x25519_from_ed25519_seed(seed):
    """The X25519 secret of an Ed25519 key: the first half of SHA-512(seed),
    as libsodium's crypto_sign_ed25519_sk_to_curve25519 and RFC 8032 5.1.5
    define it (X25519 clamps it again, which changes nothing)."""
    h = bytearray(hashlib.sha512(seed).digest()[:32])
    h[0] &= 248
    h[31] &= 127
    h[31] |= 64
    return bytes(h)


def x_pub(sk):
    return X25519PrivateKey.from_private_bytes(sk).public_key().public_bytes(RAW, RAW_PUB)


def dh(sk, pk):
    priv = X25519PrivateKey.from_private_bytes(sk)
    return priv.exchange(X25519PublicKey.from_public_bytes(pk))


def hkdf(salt, ikm, info, length):
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=salt, info=info).derive(ikm)


def x3dh_sk(ik_a, ek_a, ik_b_pub, spk_b_pub, opk_b_pub, spk_id, opk_id):
    """Initiator's side: DH1 = X25519(IK_A, SPK_B), DH2 = X25519(EK_A, IK_B),
    DH3 = X25519(EK_A, SPK_B), DH4 = X25519(EK_A, OPK_B)."""
    km = b"\xff" * 32 + dh(ik_a, spk_b_pub) + dh(ek_a, ik_b_pub) + dh(ek_a, spk_b_pub)
    if opk_b_pub is not None:
        km += dh(ek_a, opk_b_pub)
    info = X3DH_INFO + bytes([START_VERSION]) + struct.pack(">II", spk_id, opk_id)
    return hkdf(b"\x00" * 32, km, info, 32)


def x3dh_sk_responder(ik_b, spk_b, opk_b, ik_a_pub, ek_a_pub, spk_id, opk_id):
    """Responder's side, computed separately as a check on the vector itself."""
    km = b"\xff" * 32 + dh(spk_b, ik_a_pub) + dh(ik_b, ek_a_pub) + dh(spk_b, ek_a_pub)
    if opk_b is not None:
        km += dh(opk_b, ek_a_pub)
    info = X3DH_INFO + bytes([START_VERSION]) + struct.pack(">II", spk_id, opk_id)
    return hkdf(b"\x00" * 32, km, info, 32)


def kdf_rk(rk, dh_out):
    okm = hkdf(rk, dh_out, RATCHET_INFO, 64)
    return okm[:32], okm[32:]


def kdf_ck(ck):
    mk = hmac.new(ck, b"\x01", hashlib.sha256).digest()
    return hmac.new(ck, b"\x02", hashlib.sha256).digest(), mk


def main():
    hx = bytes.hex
    ik_a_seed, ik_b_seed = secret("IK_A seed"), secret("IK_B seed")
    ek_a, spk_b, opk_b = secret("EK_A"), secret("SPK_B"), secret("OPK_B")
    ik_a_ed = Ed25519PrivateKey.from_private_bytes(ik_a_seed).public_key().public_bytes(RAW, RAW_PUB)
    ik_b_ed = Ed25519PrivateKey.from_private_bytes(ik_b_seed).public_key().public_bytes(RAW, RAW_PUB)
    ik_a_x, ik_b_x = x25519_from_ed25519_seed(ik_a_seed), x25519_from_ed25519_seed(ik_b_seed)

    x3dh = []
    for with_opk in (True, False):
        opk_id = OPK_ID if with_opk else 0
        sk = x3dh_sk(ik_a_x, ek_a, x_pub(ik_b_x), x_pub(spk_b), x_pub(opk_b) if with_opk else None,
                     SPK_ID, opk_id)
        check = x3dh_sk_responder(ik_b_x, spk_b, opk_b if with_opk else None, x_pub(ik_a_x),
                                  x_pub(ek_a), SPK_ID, opk_id)
        assert sk == check, "the two sides disagree"
        x3dh.append({
            "name": "with one-time prekey" if with_opk else "without one-time prekey",
            "ik_a_seed": hx(ik_a_seed), "ik_a": hx(ik_a_ed), "ik_a_x25519": hx(x_pub(ik_a_x)),
            "ek_a_secret": hx(ek_a), "ek_a": hx(x_pub(ek_a)),
            "ik_b_seed": hx(ik_b_seed), "ik_b": hx(ik_b_ed), "ik_b_x25519": hx(x_pub(ik_b_x)),
            "spk_id": SPK_ID, "spk_b_secret": hx(spk_b), "spk_b": hx(x_pub(spk_b)),
            "opk_id": opk_id,
            "opk_b_secret": hx(opk_b) if with_opk else "", "opk_b": hx(x_pub(opk_b)) if with_opk else "",
            "sk": hx(sk),
        })

    # KDF_RK from SK (the vector with an OPK) over three DH ratchet steps, each
    # followed by three KDF_CK steps on the chain key it gives.
    rk = bytes.fromhex(x3dh[0]["sk"])
    steps = []
    for i in range(3):
        mine, theirs = secret(f"ratchet {i} mine"), secret(f"ratchet {i} theirs")
        dh_out = dh(mine, x_pub(theirs))
        assert dh_out == dh(theirs, x_pub(mine))
        rk_in = rk
        rk, ck = kdf_rk(rk, dh_out)
        chain = []
        c = ck
        for _ in range(3):
            c, mk = kdf_ck(c)
            chain.append({"mk": hx(mk), "ck": hx(c)})
        steps.append({"rk": hx(rk_in), "dh_secret": hx(mine), "dh_public": hx(x_pub(theirs)),
                      "dh": hx(dh_out), "rk_out": hx(rk), "ck_out": hx(ck), "chain": chain})

    doc = {
        "about": "X3DH start v2, KDF_RK and KDF_CK known answers from python3-cryptography "
                 "(scripts/chat-vectors.py; formulas in core/src/chat/chat.md). Every secret is "
                 "SHA-256(\"PetAmigos vector \" + its label); all bytes are hex.",
        "labels": {"ik_a_seed": "IK_A seed", "ik_b_seed": "IK_B seed", "ek_a_secret": "EK_A",
                   "spk_b_secret": "SPK_B", "opk_b_secret": "OPK_B",
                   "dh_secret": "ratchet <i> mine", "dh_public": "public key of ratchet <i> theirs"},
        "x3dh": x3dh,
        "ratchet": steps,
    }
    json.dump(doc, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
