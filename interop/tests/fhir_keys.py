"""Generated client keys and signed assertions for the SMART tests."""

import json
import uuid
from datetime import UTC, datetime, timedelta

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


def new_key(alg: str = "RS384"):
    """(private key, public JWKS, kid) for RS384 or ES384."""
    kid = uuid.uuid4().hex[:12]
    if alg == "RS384":
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(private.public_key()))
    else:
        private = ec.generate_private_key(ec.SECP384R1())
        public = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(private.public_key()))
    public.update({"kid": kid, "alg": alg, "use": "sig"})
    return private, {"keys": [public]}, kid


def assertion(private, client_id: str, aud: str, kid: str, alg: str = "RS384", exp_in=timedelta(minutes=4), jti=None):
    now = datetime.now(UTC)
    claims = {"iss": client_id, "sub": client_id, "aud": aud, "exp": now + exp_in, "jti": jti or uuid.uuid4().hex}
    return jwt.encode(claims, private, algorithm=alg, headers={"kid": kid})


def token_form(signed: str, scope: str = "system/*.read") -> dict[str, str]:
    return {"grant_type": "client_credentials", "client_assertion_type": ASSERTION_TYPE, "client_assertion": signed,
            "scope": scope}
