"""An outside verifier's view of the credentials a running Guildhall issues (run by
scripts/check-credentials, inside its virtual environment).

openbadgeslib 4.6.3 (Open Badges 3.0 / VC 2.0, written outside this project) verifies each
credential in both proof forms, VC-JWT and Data Integrity (eddsa-rdfc-2022), with status
checking on (the signed Bitstring Status Lists), anchored to the society's did:web so it
never trusts a key a credential names itself. Good credentials must verify; tampered,
expired, suspended, revoked and re-signed ones must be refused, each for its own reason
(the verifier's message says which). Every issued credential, without its proof and JWT
claims, must validate against 1EdTech's JSON Schema, and Guildhall's own POST /api/v1/verify
must reach the same verdicts.

Usage: ob3_verify.py BASE_URL SCHEMA.json   (the staff API token in GUILDHALL_TOKEN)
Prints one PASS/FAIL line per check; exits 1 if any failed.
"""
import base64
import copy
import json
import os
import sys
import urllib.error
import urllib.request
from datetime import datetime, timezone
from urllib.parse import urlsplit

import jsonschema
import jwt as pyjwt
import referencing
import referencing.exceptions
import referencing.jsonschema
from cryptography.hazmat.primitives import serialization as ser
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from openbadgeslib.ob3.did import did_key_from_pem, did_web_from_url, fetch_did_web_document, pem_for_kid
from openbadgeslib.ob3.ldp import OB3LdpVerifier, add_data_integrity_proof, verify_data_integrity_proof
from openbadgeslib.ob3.status import decode_encoded_list, set_indices
from openbadgeslib.ob3.verifier import OB3VerificationError, OB3Verifier

BASE = sys.argv[1].rstrip("/")
SCHEMA_PATH = sys.argv[2]
TOKEN = os.environ["GUILDHALL_TOKEN"]
HOSTPORT = urlsplit(BASE).netloc
# The DID the society's public URL names, derived by the library itself: did:web stands for
# https://HOST:PORT, whose port is percent-encoded.
DID = did_web_from_url("https://" + HOSTPORT)
JWT_CLAIMS = ("iss", "sub", "jti", "nbf", "exp", "iat", "aud")

failures = 0


def report(ok, label, detail=""):
    global failures
    if not ok:
        failures += 1
    print(("PASS " if ok else "FAIL ") + label + (f": {detail}" if detail else ""), flush=True)


# ── HTTP: the API, and the verifier's download hook ──────────────────────────────────────

_http = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback: never a proxy


def http(method, path, body=None, auth=True):
    request = urllib.request.Request(BASE + path, method=method,
                                     data=None if body is None else json.dumps(body).encode())
    if body is not None:
        request.add_header("Content-Type", "application/json")
    if auth:
        request.add_header("Authorization", "Bearer " + TOKEN)
    try:
        with _http.open(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(errors="replace")


fetched = []


def download(url):
    """openbadgeslib's download hook. Its own downloader refuses plain http and loopback,
    so the society's URLs are mapped to the local server: did:web resolution asks for
    https://127.0.0.1%3APORT → https://127.0.0.1:PORT/.well-known/did.json (served over
    http here), and the status lists are named by their http://127.0.0.1:PORT URLs.
    Anything else is refused, so nothing is ever fetched from elsewhere."""
    parts = urlsplit(url)
    if parts.netloc != HOSTPORT or parts.scheme not in ("http", "https") or parts.query or parts.fragment:
        raise OB3VerificationError(f"the test's download hook refuses {url!r}: not the society's server")
    fetched.append(parts.path)
    with _http.open(f"http://{HOSTPORT}{parts.path}", timeout=30) as response:
        return response.read()


# ── the verifiers (status checking on, anchored to the society's did:web) ────────────────

def verify_jwt(token):
    """OB3Verifier.for_issuer_did resolves did.json through the hook and picks the key the
    JWT kid names; verify() checks the signature (alg pinned to the key), the registered
    claims, issuer == DID, the validity window and, with check_status, every status entry
    against its signed status list."""
    verifier = OB3Verifier.for_issuer_did(DID, download=download)
    return verifier.verify(token, check_status=True, verify_status_list=True, download=download)


def verify_ld(document):
    """OB3LdpVerifier.for_issuer_did: the issuer and proof.verificationMethod must belong to
    the DID; the key comes from did.json (through the hook), never from the credential."""
    verifier = OB3LdpVerifier.for_issuer_did(DID, download=download)
    return verifier.verify(copy.deepcopy(document), check_status=True, verify_status_list=True,
                           download=download)


VERIFY = {"jwt": verify_jwt, "ld": verify_ld}
SIGNATURE = {"jwt": "Invalid signature", "ld": "Invalid Data Integrity proof (signature mismatch)"}


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def jwt_payload(token):
    return json.loads(unb64url(token.split(".")[1]))


def with_payload(token, payload):
    header, _, signature = token.split(".")
    return ".".join([header, b64url(json.dumps(payload, separators=(",", ":")).encode()), signature])


def expect_valid(label, form, credential, uuid):
    before = len(fetched)
    try:
        result = VERIFY[form](credential)
    except Exception as e:  # report and go on
        report(False, label, f"refused: {type(e).__name__}: {e}")
        return
    problems = []
    if result.id != uuid:
        problems.append(f"id {result.id!r} != {uuid!r}")
    if result.issuer.id != DID:
        problems.append(f"issuer {result.issuer.id!r} != {DID!r}")
    lists = [p for p in fetched[before:] if p.startswith("/credentials/status/")]
    if not lists:
        problems.append("no status list was fetched (status checking is off?)")
    report(not problems, label, "; ".join(problems) or f"verified, status checked against {', '.join(lists)}")


def expect_refused(label, form, credential, reason, *needles, exact=None):
    """Refused with an OB3VerificationError whose message names the reason."""
    try:
        VERIFY[form](credential)
    except OB3VerificationError as e:
        message = str(e)
        ok = (message == exact) if exact is not None else all(n in message for n in needles)
        report(ok, label, f"refused as {reason}: {message}" if ok else f"refused for the wrong reason: {message}")
        return
    except Exception as e:
        report(False, label, f"unexpected {type(e).__name__}: {e}")
        return
    report(False, label, "ACCEPTED")


def status_needles(credential_status, purpose):
    return (f"Credential status '{purpose}' is set at index {int(credential_status['statusListIndex'])} "
            f"in {credential_status['statusListCredential']}",)


def status_list_bits(purpose):
    """The published list, read directly: a compact VC-JWT signed by the society's #key-1,
    issued by the DID, current, declaring its purpose; returns the indices set in it."""
    url = f"{BASE}/credentials/status/{purpose}"
    token = download(url).decode().strip()
    header = json.loads(unb64url(token.split(".")[0]))
    claims = pyjwt.decode(token, SOCIETY_PEM, algorithms=["EdDSA"])  # signature, nbf, exp
    subject = claims["credentialSubject"]
    now = datetime.now(timezone.utc)
    problems = [what for what, bad in (
        ("kid is not #key-1", header.get("kid") != DID + "#key-1"),
        ("issuer/iss is not the DID", claims.get("issuer") != DID or claims.get("iss") != DID),
        ("id is not its URL", claims.get("id") != url),
        ("not a BitstringStatusListCredential", "BitstringStatusListCredential" not in claims.get("type", [])),
        ("purpose", subject.get("statusPurpose") != purpose or subject.get("type") != "BitstringStatusList"),
        ("validUntil missing or past", datetime.fromisoformat(claims.get("validUntil", "1970-01-01T00:00:00Z")
                                                             .replace("Z", "+00:00")) <= now),
    ) if bad]
    bits = decode_encoded_list(subject["encodedList"])
    if len(bits) * 8 < 131072:
        problems.append(f"only {len(bits) * 8} bits")
    return set_indices(bits), problems


def check_status_list(purpose, expected, when):
    indices, problems = status_list_bits(purpose)
    if set(indices) != set(expected):
        problems.append(f"bits set at {sorted(indices)}, expected {sorted(expected)}")
    report(not problems, f"the {purpose} list ({when}) is a signed VC-JWT of the DID with exactly the expected bits set",
           "; ".join(problems) or f"bits {sorted(indices)}")


# ── Guildhall's own verifier ─────────────────────────────────────────────────────────────

agreements = []


def guildhall_says(form, credential):
    status, body = http("POST", "/api/v1/verify", {"credential": credential}, auth=False)
    if status != 200:
        return f"HTTP {status}: {body}"
    if body.get("valid") != (body.get("verdict") == "valid"):
        return f"inconsistent answer {body}"
    return body["verdict"]


def cross_check(label, form, credential, expected):
    verdict = guildhall_says(form, credential)
    report(verdict == expected, f"Guildhall POST /api/v1/verify agrees: {label}",
           f"verdict {verdict}" + ("" if verdict == expected else f", expected {expected}"))


# ── the 1EdTech JSON Schema, offline ─────────────────────────────────────────────────────

def schema_validator():
    schema = json.load(open(SCHEMA_PATH))
    cls = jsonschema.validators.validator_for(schema)  # the draft the schema declares ($schema)

    def offline(uri):
        raise referencing.exceptions.NoSuchResource(uri)  # nothing is fetched

    # The metaschemas of every draft ship with jsonschema (jsonschema-specifications);
    # the registry knows them and retrieves nothing else.
    registry = referencing.Registry(retrieve=offline).with_resource(
        schema["$id"], referencing.jsonschema.specification_with(schema["$schema"]).create_resource(schema))
    cls.check_schema(schema)
    return cls(schema, registry=registry, format_checker=cls.FORMAT_CHECKER), cls.__name__


def schema_check(label, body):
    errors = sorted(VALIDATOR.iter_errors(body), key=lambda e: list(e.absolute_path))
    report(not errors, f"1EdTech schema ({VALIDATOR_NAME}): {label}",
           "; ".join(f"/{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors[:5]))


# ═════════════════════════════════════════════════════════════════════════════════════════

# The DID document. The library does not check its id, so this does.
document = fetch_did_web_document(DID, download)
methods = document.get("verificationMethod") or [{}]
report(document.get("id") == DID, "did.json: its id is the DID the public URL names", f"{document.get('id')} vs {DID}")
report(methods[0].get("id") == DID + "#key-1" and DID + "#key-1" in document.get("assertionMethod", [])
       and methods[0].get("publicKeyJwk", {}).get("crv") == "Ed25519",
       "did.json: #key-1 (Ed25519) is the first verification method and an assertion method",
       json.dumps(methods[0]))
SOCIETY_PEM = pem_for_kid(document, DID, DID + "#key-1")

status, listing = http("GET", "/api/v1/credentials?per_page=200")
assert status == 200, (status, listing)
items = listing["items"]


def fetch(item_id):
    status, body = http("GET", f"/api/v1/credentials/{item_id}")
    assert status == 200, (status, body)
    return body


def one(kind, name, status, member=None):
    found = [i for i in items if i["kind"] == kind and (name is None or i["name"] == name)
             and i["status"] == status and (member is None or i["member_id"] == member)]
    assert len(found) == 1, f"expected one {status} {kind} {name!r}, found {found}"
    return fetch(found[0]["id"])


fellow = one("award", "Fellow", "active")
MAYA = fellow["member_id"]
membership = one("membership", None, "active", MAYA)
course = one("course", None, "active", MAYA)
secretary = one("award", "Chapter Secretary", "active", MAYA)
suspended = one("membership", None, "suspended")
life = one("award", "Life Member", "revoked")
DANIEL = suspended["member_id"]
report(MAYA != DANIEL and life["member_id"] == DANIEL
       and fellow["json_ld"]["credentialSubject"]["identifier"][0]["identityHash"] == "Maya Okafor",
       "the demo society holds the credentials this check expects",
       f"{len(items)} credentials; Maya is member {MAYA}, Daniel {DANIEL}")

# A designation issued through the API, as staff would.
status, designation = http("POST", "/api/v1/credentials", {
    "member_id": MAYA, "achievement": "Chapter President",
    "description": "President of the chapter for the 2026-2027 term.",
    "criteria": "Elected by the chapter's members.", "role": "Chapter President", "term": "2026-2027"})
report(status == 201 and "jwt" in designation, "POST /api/v1/credentials issues a designation",
       f"HTTP {status}" + ("" if status == 201 else f": {designation}"))
if status != 201:
    designation = None
everything = [c for c in (fellow, membership, course, secretary, suspended, life, designation) if c]
assert len(everything) == len(items) + (1 if designation else 0), "every credential is checked"

# 1. The shape: each credential, both forms, against 1EdTech's schema; the two forms agree.
VALIDATOR, VALIDATOR_NAME = schema_validator()
for c in everything:
    ld = {k: v for k, v in c["json_ld"].items() if k != "proof"}
    payload = jwt_payload(c["jwt"])
    body = {k: v for k, v in payload.items() if k not in JWT_CLAIMS}
    schema_check(f"{c['name']} ({c['kind']}, {c['status']}) Data Integrity form without proof", ld)
    schema_check(f"{c['name']} ({c['kind']}, {c['status']}) VC-JWT payload without the JWT claims", body)
    header = json.loads(unb64url(c["jwt"].split(".")[0]))
    report(body == ld and header.get("alg") == "EdDSA" and header.get("kid") == DID + "#key-1"
           and payload.get("iss") == DID and payload.get("jti") == c["uuid"] == ld["id"]
           and c["json_ld"]["proof"]["verificationMethod"] == DID + "#key-1",
           f"{c['name']} ({c['kind']}): the JWT payload is the credential, the same as the JSON-LD, signed by #key-1",
           f"header {header}")

# 2. Good credentials verify in both forms.
GOOD = [("Fellow award", fellow), ("membership", membership), ("course attendance", course)]
if designation:
    GOOD.append(("designation issued through the API", designation))
for label, c in GOOD:
    expect_valid(f"openbadgeslib OB3Verifier: {label} (VC-JWT) is valid", "jwt", c["jwt"], c["uuid"])
    expect_valid(f"openbadgeslib OB3LdpVerifier: {label} (Data Integrity) is valid", "ld", c["json_ld"], c["uuid"])

# 3. Tampered.
course_payload = jwt_payload(course["jwt"])
changed = copy.deepcopy(course_payload)
changed["credentialSubject"]["creditsEarned"] = course_payload["credentialSubject"]["creditsEarned"] + 10
TAMPERED = {
    "jwt": [("course JWT with creditsEarned raised", with_payload(course["jwt"], changed)),
            ("Fellow JWT carrying the course's payload", with_payload(fellow["jwt"], course_payload))],
    "ld": [],
}
doc = copy.deepcopy(course["json_ld"])
doc["credentialSubject"]["creditsEarned"] += 10
TAMPERED["ld"].append(("course JSON-LD with creditsEarned raised", doc))
doc = copy.deepcopy(fellow["json_ld"])
doc["credentialSubject"]["achievement"]["name"] = doc["name"] = "President"
TAMPERED["ld"].append(("Fellow JSON-LD renamed", doc))
doc = copy.deepcopy(fellow["json_ld"])
doc["credentialSubject"]["identifier"][0]["identityHash"] = "Mallory Impostor"
TAMPERED["ld"].append(("Fellow JSON-LD given to someone else", doc))

# 4. Re-signed by a fresh Ed25519 key under the society's kid / verificationMethod.
stranger = Ed25519PrivateKey.generate()
stranger_pem = stranger.private_bytes(ser.Encoding.PEM, ser.PrivateFormat.PKCS8, ser.NoEncryption())
stranger_pub = stranger.public_key()
forged_jwt = pyjwt.encode(jwt_payload(fellow["jwt"]), stranger, algorithm="EdDSA",
                          headers={"kid": DID + "#key-1", "typ": "JWT"})
unsigned = {k: v for k, v in fellow["json_ld"].items() if k != "proof"}
forged_ld = add_data_integrity_proof(unsigned, stranger_pem, DID + "#key-1",
                                     created=datetime.now(timezone.utc).replace(microsecond=0))
# Controls: the forgeries are well made (they verify under the stranger's key), so a refusal
# below is about the key alone.
try:
    OB3Verifier(pubkey_pem=stranger_pub).verify(forged_jwt)
    OB3LdpVerifier(pubkey_pem=stranger_pub).verify(forged_ld)
    report(True, "control: the re-signed Fellow credential verifies under the stranger's own key (both forms)")
except Exception as e:
    report(False, "control: the re-signed Fellow credential verifies under the stranger's own key", f"{e}")

for form in ("jwt", "ld"):
    for label, credential in TAMPERED[form]:
        expect_refused(f"openbadgeslib refuses the tampered {label}", form, credential, "signature",
                       exact=SIGNATURE[form])
        cross_check(f"tampered {label}", form, credential, "tampered")
expect_refused("openbadgeslib refuses the Fellow VC-JWT re-signed by another key with kid #key-1", "jwt",
               forged_jwt, "signature", exact=SIGNATURE["jwt"])
cross_check("Fellow VC-JWT re-signed by another key", "jwt", forged_jwt, "tampered")
expect_refused("openbadgeslib refuses the Fellow JSON-LD re-signed by another key as #key-1", "ld",
               forged_ld, "signature", exact=SIGNATURE["ld"])
cross_check("Fellow JSON-LD re-signed by another key", "ld", forged_ld, "tampered")

# A credential naming its own key (did:key of the stranger) is not trusted either.
stranger_did = did_key_from_pem(stranger_pub.public_bytes(ser.Encoding.PEM, ser.PublicFormat.SubjectPublicKeyInfo))
self_named_jwt = pyjwt.encode(jwt_payload(fellow["jwt"]), stranger, algorithm="EdDSA",
                              headers={"kid": f"{stranger_did}#{stranger_did[8:]}", "typ": "JWT"})
expect_refused("openbadgeslib refuses a VC-JWT whose kid names the signer's own did:key", "jwt",
               self_named_jwt, "key not the society's", "names a different DID than the anchored issuer")
cross_check("VC-JWT whose kid names a did:key", "jwt", self_named_jwt, "other_issuer")
self_named_ld = add_data_integrity_proof(unsigned, stranger_pem, f"{stranger_did}#{stranger_did[8:]}")
expect_refused("openbadgeslib refuses JSON-LD whose proof names the signer's own did:key", "ld",
               self_named_ld, "key not the society's", "does not belong to the anchored DID")
cross_check("JSON-LD whose proof names a did:key", "ld", self_named_ld, "other_issuer")

# 5. Expired: authentic (the signature alone holds), refused as expired.
try:
    pyjwt.decode(secretary["jwt"], SOCIETY_PEM, algorithms=["EdDSA"], options={"verify_exp": False})
    verify_data_integrity_proof(copy.deepcopy(secretary["json_ld"]), SOCIETY_PEM)
    report(True, "control: the expired Chapter Secretary award's signatures hold under the society's key (both forms)")
except Exception as e:
    report(False, "control: the expired Chapter Secretary award's signatures hold", f"{type(e).__name__}: {e}")
expect_refused("openbadgeslib refuses the expired Chapter Secretary award (VC-JWT)", "jwt", secretary["jwt"],
               "expired", "Credential has expired")
expect_refused("openbadgeslib refuses the expired Chapter Secretary award (Data Integrity)", "ld",
               secretary["json_ld"], "expired",
               "Credential has expired (validUntil "
               + datetime.fromisoformat(secretary["valid_until"].replace("Z", "+00:00")).isoformat() + ")")

# 6. Suspended (Daniel's membership) and revoked (his Life Member award, which as an award
#    sits on the suspension list: its bit is set there for good).
for form, key in (("jwt", "jwt"), ("ld", "json_ld")):
    name = "VC-JWT" if form == "jwt" else "Data Integrity"
    entry = suspended["json_ld"]["credentialStatus"]
    assert entry["statusPurpose"] == "suspension", entry
    expect_refused(f"openbadgeslib refuses Daniel's suspended membership ({name})", form, suspended[key],
                   "suspended", *status_needles(entry, "suspension"))
    entry = life["json_ld"]["credentialStatus"]
    assert entry["statusPurpose"] == "suspension", entry
    expect_refused(f"openbadgeslib refuses Daniel's revoked Life Member award, on the suspension list ({name})",
                   form, life[key], "suspended", *status_needles(entry, "suspension"))

index = lambda c: int(c["json_ld"]["credentialStatus"]["statusListIndex"])  # noqa: E731
check_status_list("revocation", [], "before any revocation")
check_status_list("suspension", [index(suspended), index(life)], "Daniel's membership and Life Member award")

# Guildhall's verdicts on the same credentials, before anything changes.
for label, c in GOOD:
    cross_check(f"{label} (VC-JWT)", "jwt", c["jwt"], "valid")
    cross_check(f"{label} (Data Integrity)", "ld", c["json_ld"], "valid")
for form, key in (("jwt", "jwt"), ("ld", "json_ld")):
    name = "VC-JWT" if form == "jwt" else "Data Integrity"
    cross_check(f"expired Chapter Secretary award ({name})", form, secretary[key], "expired")
    cross_check(f"suspended membership ({name})", form, suspended[key], "suspended")
    cross_check(f"revoked Life Member award ({name})", form, life[key], "revoked")

# 7. Revocation on the revocation list: the course credential, valid above, is revoked
#    through the API; the very same documents must now be refused as revoked.
entry = course["json_ld"]["credentialStatus"]
report(entry["statusPurpose"] == "revocation", "the course credential uses the revocation list", json.dumps(entry))
status, changed = http("POST", f"/api/v1/credentials/{course['id']}/status",
                       {"status": "revoked", "reason": "Attendance record found to be in error."})
report(status == 200 and changed.get("status") == "revoked", "POST /api/v1/credentials/{id}/status revokes the course credential",
       f"HTTP {status}")
for form, key in (("jwt", "jwt"), ("ld", "json_ld")):
    name = "VC-JWT" if form == "jwt" else "Data Integrity"
    expect_refused(f"openbadgeslib refuses the revoked course credential ({name})", form, course[key],
                   "revoked", *status_needles(entry, "revocation"))
    cross_check(f"revoked course credential ({name})", form, course[key], "revoked")
check_status_list("revocation", [index(course)], "after revoking the course credential")
# The others are untouched by it.
expect_valid("openbadgeslib OB3Verifier: the Fellow award (VC-JWT) is still valid after the revocation", "jwt",
             fellow["jwt"], fellow["uuid"])

print(f"{'FAILED' if failures else 'passed'}: {failures} failure(s); fetched {len(fetched)} documents "
      f"through the download hook ({', '.join(sorted(set(fetched)))})")
sys.exit(1 if failures else 0)
