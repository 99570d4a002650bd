"""Regenerate `signing-extra.json` with the official Huawei Cloud Python signer.

The cases pin down edge cases the shared vectors leave open (SM3 and V11 with an
unsigned payload, empty bodies with a non-JSON content type, percent-escapes that
decode to `/` or to invalid UTF-8, ...). Run with a virtual environment that has
`huaweicloudsdkcore==3.1.219` installed:

    python3 -m venv /tmp/hwsdk && /tmp/hwsdk/bin/pip install huaweicloudsdkcore==3.1.219
    /tmp/hwsdk/bin/python tests/data/generate_extra.py > tests/data/signing-extra.json
"""

import json

from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.sdk_request import SdkRequest
from huaweicloudsdkcore.signer.signer import Signer, SM3Signer, DerivationAKSKSigner

AK = "HPUAEXAMPLEAK0000001"
SK = "Ex4mpleSecretKeyForTestVectorsOnly0000001"
DATE = "20261122T081500Z"
HOST = "metastudio.cn-north-4.myhuaweicloud.com"
PID = "3f0924078d1b471c884a5383d4dec9fa"
BASE = "/v1/%s/ttsc" % PID


def case(name, method, path, query=(), headers=None, body="", algorithm="SDK-HMAC-SHA256",
         region=None, service=None, host=HOST, ak=AK, sk=SK):
    if headers is None:
        headers = {"Content-Type": "application/json", "X-Project-Id": PID}
    header_params = dict(headers)
    header_params["X-Sdk-Date"] = DATE
    request = SdkRequest(method=method, schema="https", host=host, resource_path=path,
                         query_params=[tuple(p) for p in query], header_params=header_params,
                         body=body)
    creds = BasicCredentials(ak, sk)
    cls = {"SDK-HMAC-SHA256": Signer, "SDK-HMAC-SM3": SM3Signer,
           "V11-HMAC-SHA256": DerivationAKSKSigner}[algorithm]
    signer = cls(creds)
    seen = {}
    orig_sts = signer._process_string_to_sign
    orig_sign = signer._sign_string_to_sign

    def sts(canonical_request, *args, **kwargs):
        seen["canonical_request"] = canonical_request
        return orig_sts(canonical_request, *args, **kwargs)

    def sign(string_to_sign, key):
        seen["string_to_sign"] = string_to_sign
        return orig_sign(string_to_sign, key)

    signer._process_string_to_sign = sts
    signer._sign_string_to_sign = sign
    if algorithm == "V11-HMAC-SHA256":
        signer.sign(request, service, region)
    else:
        signer.sign(request)
    out = {
        "name": name, "method": method, "host": host, "path": path,
        "query": [list(p) for p in query], "headers": headers, "body": body,
        "ak": ak, "sk": sk, "x_sdk_date": DATE, "algorithm": algorithm,
    }
    if region:
        out["region"] = region
        out["derived_service"] = service
    out["expected"] = {
        "canonical_request": seen["canonical_request"],
        "string_to_sign": seen["string_to_sign"],
        "authorization": request.header_params["Authorization"],
        "request_uri": request.uri,
    }
    return out


OCTET = {"Content-Type": "application/octet-stream", "X-Project-Id": PID}

cases = [
    case("sm3_unsigned_payload", "POST", BASE + "/async-jobs", headers=OCTET, body="raw",
         algorithm="SDK-HMAC-SM3"),
    case("v11_unsigned_payload", "PUT", BASE + "/async-jobs", headers=OCTET, body="raw",
         algorithm="V11-HMAC-SHA256", region="cn-east-3", service="metastudio"),
    case("non_json_content_type_empty_body", "GET", BASE + "/tts-jobs", headers=OCTET),
    case("no_content_type_with_body", "POST", BASE + "/async-jobs",
         headers={"X-Project-Id": PID}, body='{"text": "x"}'),
    case("bson_content_type_is_hashed", "POST", BASE + "/async-jobs",
         headers={"Content-Type": "application/bson", "X-Project-Id": PID}, body="\u0005bson"),
    case("caller_supplied_content_sha256", "POST", BASE + "/async-jobs",
         headers={"Content-Type": "application/json", "X-Sdk-Content-Sha256": "UNSIGNED-PAYLOAD"},
         body='{"text": "streamed"}'),
    case("path_escaped_slash_is_split", "GET", BASE + "/async-jobs/a%2Fb%2fc"),
    case("path_invalid_utf8_escape", "GET", BASE + "/async-jobs/bad%E4%BB-%zz-%"),
    case("path_trailing_slash_and_double_slash", "GET", "/v1//" + PID + "/ttsc/tts-jobs/"),
    case("path_root", "GET", "/", headers={}),
    case("path_reserved_characters", "GET", BASE + "/async-jobs/a+b=c&d;e,f:g@h!i*j'k(l)m$n~o"),
    case("method_lower_case", "get", BASE + "/tts-jobs", query=[["limit", "1"]]),
    case("query_keys_with_unreserved_and_reserved", "GET", BASE + "/tts-jobs",
         query=[["a", "~._-"], ["A", "B"], ["_", ""], ["", "empty-key"], ["%", "%25"]]),
    case("query_same_key_sorted_by_value", "GET", BASE + "/tts-jobs",
         query=[["k", "b"], ["k", "a"], ["k", "B"], ["k", ""]]),
    case("header_value_inner_and_tab_whitespace", "GET", BASE + "/tts-jobs",
         headers={"Content-Type": "application/json", "X-App-UserId": "\t a  b \t"}),
    case("header_value_non_ascii", "GET", BASE + "/tts-jobs",
         headers={"Content-Type": "application/json", "X-Note": "caf\u00e9"}),
    case("header_names_mixed_case_sorted", "GET", BASE + "/tts-jobs",
         headers={"x-b": "2", "X-A": "1", "Content-Type": "application/json", "x-a-b": "3"}),
    case("sm3_non_ascii_body_and_query", "POST", BASE + "/vocabulary-configs",
         query=[["word", "\u91cd\u5e86"]], body='{"key": "\u91cd\u5e86"}',
         algorithm="SDK-HMAC-SM3"),
    case("v11_other_region_and_service", "GET", "/v3/projects", query=[["name", "ap-southeast-3"]],
         headers={}, algorithm="V11-HMAC-SHA256", region="ap-southeast-3", service="iam",
         host="iam.ap-southeast-3.myhuaweicloud.com"),
    case("project_discovery_get", "GET", "/v3/projects", query=[["name", "cn-north-4"]],
         headers={}, host="iam.myhuaweicloud.com"),
    case("long_body_multi_block", "POST", BASE + "/async-jobs",
         body=json.dumps({"text": "\u6b22\u8fce" * 300, "voice_asset_id": "v" * 32})),
]

print(json.dumps(cases, indent=1, ensure_ascii=False))
