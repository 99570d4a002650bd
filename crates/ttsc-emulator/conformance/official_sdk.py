"""Conformance of the emulator with Huawei Cloud's official Python SDK.

Drives a running ttsc-emulator with `huaweicloudsdkmetastudio`, unmodified, the way a
user would: BasicCredentials(ak, sk, project_id) and an explicit http:// endpoint.
Prints one line per check and a final `N passed, M failed` line; exits 1 on any failure.

    python official_sdk.py --endpoint http://127.0.0.1:PORT --ak AK --sk SK \
        --project-id ID --voice VOICE [--preloaded N]

`cargo xtask conformance` sets everything up and runs it.
"""

import argparse
import re
import sys
import time
import traceback
import urllib.request

from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.exceptions import exceptions
from huaweicloudsdkcore.http.http_config import HttpConfig
from huaweicloudsdkmetastudio.v1 import MetaStudioClient
from huaweicloudsdkmetastudio.v1 import model as m

RESULTS = {"passed": 0, "failed": 0}


def check(name, fn):
    """Runs one check; prints `ok   name` or `FAIL name: reason`."""
    try:
        detail = fn()
        RESULTS["passed"] += 1
        print(f"ok   {name}" + (f" ({detail})" if detail else ""), flush=True)
    except Exception as e:  # noqa: BLE001 - a check fails on anything
        RESULTS["failed"] += 1
        print(f"FAIL {name}: {type(e).__name__}: {e}", flush=True)
        traceback.print_exc(limit=3, file=sys.stderr)


def expect(cond, message):
    if not cond:
        raise AssertionError(message)


def client(endpoint, ak, sk, project_id):
    config = HttpConfig.get_default_config()
    config.timeout = (5, 30)
    return (
        MetaStudioClient.new_builder()
        .with_http_config(config)
        .with_credentials(BasicCredentials(ak, sk, project_id))
        .with_endpoints([endpoint])
        .build()
    )


def download(url):
    with urllib.request.urlopen(url, timeout=30) as resp:
        return resp.status, resp.read()


SRT_CUE = re.compile(
    r"^\d+\n\d\d:\d\d:\d\d,\d\d\d --> \d\d:\d\d:\d\d,\d\d\d\n.+", re.S
)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--endpoint", required=True)
    ap.add_argument("--ak", required=True)
    ap.add_argument("--sk", required=True)
    ap.add_argument("--project-id", required=True)
    ap.add_argument("--voice", required=True)
    ap.add_argument("--preloaded", type=int, default=0)
    args = ap.parse_args()

    c = client(args.endpoint, args.ak, args.sk, args.project_id)
    state = {}

    def create_job():
        body = m.CreateAsyncTtsJobRequestBody(
            text="Hello from the official SDK. 你好，世界。",
            voice_asset_id=args.voice,
            gen_srt=True,
            need_timestamp=True,
            speed=120,
        )
        resp = c.create_async_tts_job(m.CreateAsyncTtsJobRequest(body=body))
        expect(resp.status_code == 200, f"status {resp.status_code}")
        expect(resp.job_id, "no job_id")
        state["job_id"] = resp.job_id
        return resp.job_id

    def poll_job():
        deadline = time.time() + 60
        seen = []
        while True:
            resp = c.show_async_tts_job(m.ShowAsyncTtsJobRequest(job_id=state["job_id"]))
            if not seen or seen[-1] != resp.state:
                seen.append(resp.state)
            if resp.state in ("SUCCEED", "FAILED"):
                break
            expect(time.time() < deadline, f"still {resp.state} after 60 s")
            time.sleep(0.2)
        expect(resp.state == "SUCCEED", f"ended {resp.state}: {resp.message}")
        expect(resp.code == "0", f"code {resp.code!r}")
        expect(resp.audio_file_url and resp.audio_srt_file_url, "file URLs missing")
        state["job"] = resp
        return " -> ".join(seen)

    def download_wav():
        status, data = download(state["job"].audio_file_url)
        expect(status == 200, f"status {status}")
        expect(data[:4] == b"RIFF" and data[8:12] == b"WAVE", "not a RIFF/WAVE file")
        return f"{len(data)} bytes"

    def download_srt():
        status, data = download(state["job"].audio_srt_file_url)
        expect(status == 200, f"status {status}")
        text = data.decode("utf-8")
        cues = [c for c in text.strip().split("\n\n") if c]
        expect(cues, "no cues")
        for cue in cues:
            expect(SRT_CUE.match(cue), f"bad cue {cue!r}")
        return f"{len(cues)} cues"

    def page_records():
        seen = set()
        total = None
        offset = 0
        previous = None
        while True:
            resp = c.show_tts_job(m.ShowTtsJobRequest(limit=100, offset=offset))
            if total is None:
                total = resp.count
            expect(resp.count == total, "count changed between pages")
            data = resp.data or []
            for d in data:
                expect(d.job_id not in seen, f"job {d.job_id} listed twice")
                seen.add(d.job_id)
                key = (d.create_time, d.job_id)
                expect(previous is None or key <= previous, "not newest first")
                previous = key
            offset += len(data)
            if not data or offset >= total:
                break
        expect(len(seen) == total, f"{len(seen)} records for count {total}")
        expect(total >= args.preloaded + 1, f"count {total} < {args.preloaded + 1}")
        expect(state["job_id"] in seen, "the new job is not among the records")
        return f"{total} records"

    def filter_records():
        resp = c.show_tts_job(m.ShowTtsJobRequest(job_type="ASYNC_JOB", limit=100))
        expect(all(d.job_type == "ASYNC_JOB" for d in resp.data or []), "filter ignored")
        return f"{resp.count} ASYNC_JOB records"

    def preview():
        body = m.CreateTtsAuditionRequestBody(text="Preview text", emotion=args.voice)
        job_id = c.create_tts_audition(m.CreateTtsAuditionRequest(body=body)).job_id
        expect(job_id, "no job_id")
        deadline = time.time() + 60
        while True:
            resp = c.show_tts_audition_file(m.ShowTtsAuditionFileRequest(job_id=job_id))
            if resp.is_file_complete:
                break
            expect(time.time() < deadline, "preview never completed")
            time.sleep(0.2)
        expect(resp.files and resp.files[0].download_url, "no preview file")
        status, data = download(resp.files[0].download_url)
        expect(status == 200 and data[:4] == b"RIFF", "preview file is not WAV")
        return f"{len(data)} bytes"

    def vocabulary_configs():
        body = m.SaveTtscVocabularyConfigsRequestBody(type="ALIAS", key="WHO", value="World Health Organization")
        vid = c.create_ttsc_vocabulary_configs(m.CreateTtscVocabularyConfigsRequest(body=body)).id
        expect(vid, "no id")
        listed = c.list_ttsc_vocabulary_configs(m.ListTtscVocabularyConfigsRequest(search_key="who"))
        expect(listed.count == 1 and listed.data[0].id == vid, f"list gave {listed.count}")
        body.value = "W. H. O."
        saved = c.save_ttsc_vocabulary_configs(
            m.SaveTtscVocabularyConfigsRequest(vocabulary_id=vid, body=body)
        )
        expect(saved.id == vid, "update answered another id")
        listed = c.list_ttsc_vocabulary_configs(m.ListTtscVocabularyConfigsRequest(type="ALIAS"))
        expect(listed.data[0].value == "W. H. O.", "update not visible")
        c.delete_ttsc_vocabulary_configs(
            m.DeleteTtscVocabularyConfigsRequest(body=m.DeleteTtscVocabularyConfigsRequestBody(id=[vid]))
        )
        listed = c.list_ttsc_vocabulary_configs(m.ListTtscVocabularyConfigsRequest())
        expect(listed.count == 0, "delete not visible")
        return None

    def vocabulary_groups():
        gid = c.create_ttsc_vocabulary_groups(
            m.CreateTtscVocabularyGroupsRequest(body=m.SaveTtscVocabularyGroupsRequestBody(group_name="g1"))
        ).id
        expect(gid, "no id")
        c.update_ttsc_vocabulary_groups(
            m.UpdateTtscVocabularyGroupsRequest(group_id=gid, body=m.SaveTtscVocabularyGroupsRequestBody(group_name="g2"))
        )
        c.set_ttsc_group_assets(
            m.SetTtscGroupAssetsRequest(group_id=gid, body=m.SetTtscGroupAssetsRequestBody(asset_ids=[args.voice]))
        )
        listed = c.list_ttsc_vocabulary_groups(m.ListTtscVocabularyGroupsRequest(group_id=gid))
        expect(listed.count == 1, f"count {listed.count}")
        g = listed.data[0]
        expect(g.group_name == "g2" and g.asset_ids == [args.voice], f"group is {g}")
        c.delete_ttsc_vocabulary_groups(m.DeleteTtscVocabularyGroupsRequest(group_id=gid))
        listed = c.list_ttsc_vocabulary_groups(m.ListTtscVocabularyGroupsRequest())
        expect(listed.count == 0, "delete not visible")
        return None

    def tenant_config():
        c.save_ttsc_tenant_configs(
            m.SaveTtscTenantConfigsRequest(body=m.SaveTtscTenantConfigsRequestBody(key="vocabulary", value="true"))
        )
        shown = c.show_vocabulary_switch_configs(m.ShowVocabularySwitchConfigsRequest(key="vocabulary"))
        expect(shown.count == 1 and shown.data[0].value == "true", f"shown {shown}")
        return None

    def phonetic():
        resp = c.show_tts_phonetic_symbol(m.ShowTtsPhoneticSymbolRequest(word="hello"))
        expect(resp.data, "no symbols")
        return ", ".join(resp.data)

    def voice_check():
        resp = c.check_voice_asset(m.CheckVoiceAssetRequest(voice_asset_id=args.voice))
        expect(resp.asset_state == "ACTIVED" and resp.asset_type == "VOICE_MODEL", f"{resp}")
        return None

    def once_code():
        resp = c.create_tts_once_code(m.CreateTtsOnceCodeRequest())
        expect(resp.once_code, "no once code")
        return None

    def app_user_id_utf8():
        # The SDK signs X-App-UserId as it sends it; a value outside ASCII must verify
        # (the gateway canonicalizes the bytes it received).
        resp = c.show_tts_job(m.ShowTtsJobRequest(limit=1, x_app_user_id="café"))
        expect(resp.count is not None, f"no count in {resp}")
        body = m.CreateAsyncTtsJobRequestBody(text="Un café.", voice_asset_id=args.voice)
        created = c.create_async_tts_job(
            m.CreateAsyncTtsJobRequest(body=body, x_app_user_id="café")
        )
        expect(created.job_id, "no job_id")
        return None

    def wrong_sk():
        bad = client(args.endpoint, args.ak, args.sk + "x", args.project_id)
        try:
            bad.show_tts_job(m.ShowTtsJobRequest(limit=1))
        except exceptions.ClientRequestException as e:
            expect(e.status_code == 401, f"status {e.status_code}")
            expect(e.error_code == "APIGW.0301", f"error_code {e.error_code}")
            expect(e.request_id, "no request id")
            return e.error_code
        raise AssertionError("the wrong SK was accepted")

    def bad_limit():
        for limit in (0, 101):
            try:
                c.show_tts_job(m.ShowTtsJobRequest(limit=limit))
            except exceptions.ClientRequestException as e:
                expect(e.status_code == 400, f"status {e.status_code}")
                expect(e.error_code and e.error_code.startswith("MSS."), f"error_code {e.error_code}")
                expect("limit" in e.error_msg, f"message does not name limit: {e.error_msg}")
                continue
            raise AssertionError(f"limit={limit} was accepted")
        return None

    def list_voices():
        # The service lists the tenant's own assets by default: a new account sees none.
        own = c.list_assets(m.ListAssetsRequest(asset_type="VOICE_MODEL"))
        expect(own.count == 0 and own.assets == [], f"default source listed {own.count}")
        ids, offset, total = [], 0, None
        for _ in range(50):
            page = c.list_assets(
                m.ListAssetsRequest(asset_type="VOICE_MODEL", asset_source="SYSTEM", limit=5, offset=offset)
            )
            total = page.count
            expect(len(page.assets) <= 5, f"page of {len(page.assets)}")
            ids += [a.asset_id for a in page.assets]
            offset += 5
            if offset >= total:
                break
        expect(total >= 12 and len(ids) == total == len(set(ids)), f"{len(ids)} ids of {total}")
        expect(args.voice in ids, "the demo voice is not listed")
        state["voice_ids"] = ids
        women = c.list_assets(
            m.ListAssetsRequest(asset_type="VOICE_MODEL", asset_source="SYSTEM", sex="FEMALE", language="JPN,YY", limit=100)
        )
        for a in women.assets:
            meta = a.asset_extra_meta.voice_model_meta
            expect(meta.sex == "FEMALE" and meta.language in ("JPN", "YY"), f"{a.asset_name}: {meta.sex} {meta.language}")
        expect(women.count >= 2, f"{women.count} Japanese or Cantonese women")
        some = c.list_assets(
            m.ListAssetsRequest(asset_source="SYSTEM", asset_id=ids[:2], limit=100)
        )
        expect(sorted(a.asset_id for a in some.assets) == sorted(ids[:2]), f"asset_id list: {some.assets}")
        return f"{total} voices"

    def show_voice():
        a = c.show_asset(m.ShowAssetRequest(asset_id=args.voice))
        expect(a.asset_id == args.voice and a.asset_type == "VOICE_MODEL", f"asset is {a.asset_id} {a.asset_type}")
        meta = a.asset_extra_meta.voice_model_meta
        expect(meta.voice_capability is not None and meta.sex in ("MALE", "FEMALE"), f"meta is {meta}")
        sample = [f for f in a.files if f.asset_file_category == "SAMPLE"]
        expect(len(sample) == 1 and sample[0].download_url, f"files are {a.files}")
        status, body = download(sample[0].download_url)
        expect(status == 200 and body[:4] == b"RIFF" and body[8:12] == b"WAVE", "the sample is not a WAV")
        try:
            c.show_asset(m.ShowAssetRequest(asset_id="no-such-asset"))
        except exceptions.ClientRequestException as e:
            expect(e.status_code == 404, f"unknown asset answered {e.status_code}")
        else:
            raise AssertionError("an unknown asset was found")
        return f"{a.asset_name}, sample {len(body)} bytes"

    check("list the system voices, page by page", list_voices)
    check("show a voice and download its sample", show_voice)
    check("create an async job", create_job)
    if "job_id" in state:
        check("poll the job to SUCCEED", poll_job)
    if "job" in state:
        check("download the WAV", download_wav)
        check("download the SRT", download_srt)
    check("page through the job records", page_records)
    check("filter the job records", filter_records)
    check("preview (audition) job and file", preview)
    check("vocabulary configs: create, list, update, delete", vocabulary_configs)
    check("vocabulary groups: create, update, assets, list, delete", vocabulary_groups)
    check("tenant config: save and show", tenant_config)
    check("phonetic symbols", phonetic)
    check("check a voice asset", voice_check)
    check("once code", once_code)
    check("x_app_user_id=\"café\" is signed and accepted", app_user_id_utf8)
    check("a wrong SK is ClientRequestException APIGW.0301", wrong_sk)
    check("an out-of-range limit is a 400 with an error code", bad_limit)

    print(f"{RESULTS['passed']} passed, {RESULTS['failed']} failed", flush=True)
    return 1 if RESULTS["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
