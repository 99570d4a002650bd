//! The asset library's voices over real HTTP: ListAssets' sources and filters as the
//! service documents them, ShowAsset, and the SAMPLE recordings.

mod common;

use common::{Api, Req, start_emulator};
use serde_json::Value;
use ttsc_emulator::{DEMO_PROJECT_ID, DEMO_VOICE, Emulator};

fn assets(api: &Api) -> String {
    format!("/v1/{}/digital-assets", api.project)
}

/// ListAssets with `query`; the names of the listed voices (in order) and `count`.
async fn list(api: &Api, query: &[(&str, &str)]) -> (Vec<String>, u64) {
    let mut req = Req::new("GET", assets(api)).query("limit", 100);
    for (k, v) in query {
        req = req.query(k, v);
    }
    let r = api.call(req).await;
    assert_eq!(
        r.status,
        200,
        "{query:?}: {}",
        String::from_utf8_lossy(&r.body)
    );
    let v = r.json();
    let names = v["assets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["asset_name"].as_str().unwrap().to_owned())
        .collect();
    (names, v["count"].as_u64().unwrap())
}

fn meta(a: &Value) -> &Value {
    &a["asset_extra_meta"]["voice_model_meta"]
}

#[tokio::test]
async fn sources_follow_the_service_default_of_the_tenants_own() {
    let (_emu, api) = start_emulator(Emulator::builder()).await;
    assert_eq!(list(&api, &[]).await.1, 0, "a new tenant owns no voice");
    let (system, n) = list(&api, &[("asset_source", "SYSTEM")]).await;
    assert!(n >= 12 && system.len() as u64 == n);
    assert_eq!(system[0], "Xiaoyan");

    let (_emu, api) = start_emulator(Emulator::builder().custom_voices(true)).await;
    let (own, _) = list(&api, &[]).await;
    assert_eq!(own, ["My Narrator", "Emma", "Podcast Host"]);
    let (all, _) = list(&api, &[("asset_source", "ALL")]).await;
    assert_eq!(all.len(), system.len() + own.len());
    assert_eq!(all.iter().filter(|n| *n == "Emma").count(), 2);
}

#[tokio::test]
async fn filters_take_comma_separated_values_and_fuzzy_names() {
    let (_emu, api) = start_emulator(Emulator::builder()).await;
    let sys = ("asset_source", "SYSTEM");
    let r = api
        .call(
            Req::new("GET", assets(&api))
                .query("asset_source", "SYSTEM")
                .query("sex", "MALE")
                .query("language", "JPN,YY")
                .query("limit", 100),
        )
        .await;
    let v = r.json();
    let listed = v["assets"].as_array().unwrap();
    assert_eq!(listed.len(), 2, "{v}");
    for a in listed {
        assert_eq!(meta(a)["sex"], "MALE");
        assert!(["JPN", "YY"].contains(&meta(a)["language"].as_str().unwrap()));
    }
    assert_eq!(
        list(&api, &[sys, ("name", "xiao")]).await.0,
        ["Xiaoyan", "Xiaomei", "Xiaochuan"]
    );
    assert_eq!(
        list(
            &api,
            &[sys, ("name", "xiao"), ("accurate_query_field", "name")]
        )
        .await
        .1,
        0
    );
    assert_eq!(list(&api, &[sys, ("asset_type", "VIDEO,IMAGE")]).await.1, 0);
    assert_eq!(list(&api, &[sys, ("asset_state", "BLOCK")]).await.1, 0);
    let (mobvoi, _) = list(&api, &[sys, ("voice_provider", "MOBVOI")]).await;
    assert_eq!(mobvoi, ["Olivia"]);
    let (realtime, n) = list(&api, &[sys, ("is_realtime_voice", "true")]).await;
    let (slow, m) = list(&api, &[sys, ("is_realtime_voice", "false")]).await;
    assert!(!realtime.is_empty() && !slow.is_empty());
    assert_eq!(n + m, list(&api, &[sys]).await.1);
    let (newest, _) = list(
        &api,
        &[sys, ("sort_key", "create_time"), ("sort_dir", "desc")],
    )
    .await;
    assert_eq!(newest[0], "Wanqing");

    // Values outside the documented sets are refused, naming the field.
    for (k, v) in [
        ("language", "CN,Klingon"),
        ("sex", "female"),
        ("asset_source", "MINE"),
    ] {
        let r = api.call(Req::new("GET", assets(&api)).query(k, v)).await;
        assert_eq!(r.status, 400, "{k}={v}");
        assert!(r.error_msg().contains(k), "{}", r.error_msg());
    }
}

#[tokio::test]
async fn pages_and_asset_ids_and_one_voice_with_its_sample() {
    let (_emu, api) = start_emulator(Emulator::builder()).await;
    let page = |offset: u32| {
        Req::new("GET", assets(&api))
            .query("asset_source", "SYSTEM")
            .query("limit", 4)
            .query("offset", offset)
    };
    let v = api.call(page(12)).await.json();
    let total = v["count"].as_u64().unwrap();
    assert_eq!(v["assets"].as_array().unwrap().len() as u64, total - 12);

    let v = api
        .call(
            Req::new("GET", assets(&api))
                .query("asset_source", "SYSTEM")
                .query("asset_id", DEMO_VOICE)
                .query("asset_id", "87751d4ca8501e2c44dcda6a797d76de"),
        )
        .await
        .json();
    assert_eq!(v["count"], 2, "{v}");

    let r = api
        .call(Req::new("GET", format!("{}/{DEMO_VOICE}", assets(&api))))
        .await;
    assert_eq!(r.status, 200);
    let a = r.json();
    assert_eq!(a["project_id"], DEMO_PROJECT_ID);
    assert_eq!(a["asset_type"], "VOICE_MODEL");
    assert_eq!(a["asset_state"], "ACTIVED");
    assert_eq!(meta(&a)["voice_capability"]["is_support_srt"], true);
    let sample = a["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["asset_file_category"] == "SAMPLE")
        .expect("a SAMPLE file");
    let wav = api
        .get_url(sample["download_url"].as_str().unwrap(), &[])
        .await;
    assert_eq!(wav.status, 200);
    assert_eq!(&wav.body[..4], b"RIFF");
    assert_eq!(sample["file_size"].as_u64(), Some(wav.body.len() as u64));

    let r = api
        .call(Req::new(
            "GET",
            format!("{}/ffffffffffffffffffffffffffffffff", assets(&api)),
        ))
        .await;
    assert_eq!(r.status, 404);
    assert_eq!(r.error_code(), "MSS.10001001");
}
