//! `ttsc vocab …`, `ttsc vocab-group …` and `ttsc tenant-config …`.

use serde::Serialize;
use ttsc_models::{
    CreateTtscVocabularyConfigsRequest, CreateTtscVocabularyGroupsRequest,
    DeleteTtscVocabularyConfigsRequest, DeleteTtscVocabularyConfigsRequestBody,
    DeleteTtscVocabularyGroupsRequest, ListTtscVocabularyConfigsRequest,
    ListTtscVocabularyGroupsRequest, SaveTtscTenantConfigsRequest,
    SaveTtscTenantConfigsRequestBody, SaveTtscVocabularyConfigsRequest,
    SaveTtscVocabularyConfigsRequestBody, SaveTtscVocabularyGroupsRequestBody,
    SetTtscGroupAssetsRequest, SetTtscGroupAssetsRequestBody, ShowVocabularySwitchConfigsRequest,
    UpdateTtscVocabularyGroupsRequest, VocabularyType,
};

use super::jobs::{call, call_and_print, list_records, validate};
use crate::cli::{TenantConfigCommand, VocabCommand, VocabEntryArgs, VocabGroupCommand};
use crate::context::Ctx;
use crate::error::CliResult;
use crate::exit_codes::ExitCode;

const ENTRY_FLAGS: crate::error::FlagNames<'static> = &[
    ("type", "--type"),
    ("key", "--key"),
    ("value", "--value"),
    ("group_id", "--group-id"),
];

/// What a delete prints.
#[derive(Debug, Serialize)]
struct Deleted {
    deleted: Vec<String>,
}

fn entry_body(e: VocabEntryArgs) -> SaveTtscVocabularyConfigsRequestBody {
    let mut body = SaveTtscVocabularyConfigsRequestBody::new(VocabularyType::from(e.vocab_type))
        .key(e.key)
        .value(e.value);
    body.group_id = e.group_id;
    body
}

/// Runs `ttsc vocab …`.
pub async fn vocab(ctx: &mut Ctx, cmd: VocabCommand) -> CliResult<ExitCode> {
    match cmd {
        VocabCommand::List(args) => {
            let mut request = ListTtscVocabularyConfigsRequest::new();
            request.r#type = args.vocab_type.map(VocabularyType::from);
            request.group_id = args.group_id;
            request.asset_id = args.asset_id;
            request.search_key = args.search;
            request.tts_service_name = args.service;
            request.is_vocabulary_config_enable = args.vocabulary_enable;
            request.start_time = args.since;
            request.end_time = args.until;
            request.limit = args.page.limit;
            request.offset = args.page.offset;
            validate(
                &ctx.ui,
                &request,
                &[
                    ("type", "--type"),
                    ("start_time", "--since"),
                    ("end_time", "--until"),
                ],
            )?;
            list_records(ctx, request, &args.page).await
        }
        VocabCommand::Create(entry) => {
            let request = CreateTtscVocabularyConfigsRequest::new(entry_body(entry));
            call_and_print(ctx, request, ENTRY_FLAGS).await
        }
        VocabCommand::Update(args) => {
            let request = SaveTtscVocabularyConfigsRequest::new(args.id, entry_body(args.entry));
            let flags: Vec<(&str, &str)> = ENTRY_FLAGS
                .iter()
                .copied()
                .chain([("vocabulary_id", "ID")])
                .collect();
            call_and_print(ctx, request, &flags).await
        }
        VocabCommand::Delete(args) => {
            let mut request = DeleteTtscVocabularyConfigsRequest::new(
                DeleteTtscVocabularyConfigsRequestBody::new().id(args.ids.clone()),
            );
            request.limit = args.page.limit;
            request.offset = args.page.offset;
            call(ctx, &request, &[("id", "ID")]).await?;
            ctx.print_object(&Deleted { deleted: args.ids })
        }
    }
}

/// Runs `ttsc vocab-group …`.
pub async fn group(ctx: &mut Ctx, cmd: VocabGroupCommand) -> CliResult<ExitCode> {
    match cmd {
        VocabGroupCommand::List(args) => {
            let mut request = ListTtscVocabularyGroupsRequest::new();
            request.group_id = args.group_id;
            request.limit = args.page.limit;
            request.offset = args.page.offset;
            validate(&ctx.ui, &request, &[])?;
            list_records(ctx, request, &args.page).await
        }
        VocabGroupCommand::Create(args) => {
            let request = CreateTtscVocabularyGroupsRequest::new(
                SaveTtscVocabularyGroupsRequestBody::new().group_name(args.name),
            );
            call_and_print(ctx, request, &[("group_name", "NAME")]).await
        }
        VocabGroupCommand::Update(args) => {
            let request = UpdateTtscVocabularyGroupsRequest::new(
                args.id,
                SaveTtscVocabularyGroupsRequestBody::new().group_name(args.name),
            );
            call_and_print(ctx, request, &[("group_id", "ID"), ("group_name", "NAME")]).await
        }
        VocabGroupCommand::Delete(args) => {
            let mut request = DeleteTtscVocabularyGroupsRequest::new(args.id.clone());
            request.limit = args.page.limit;
            request.offset = args.page.offset;
            call(ctx, &request, &[("group_id", "ID")]).await?;
            ctx.print_object(&Deleted {
                deleted: vec![args.id],
            })
        }
        VocabGroupCommand::SetAssets(args) => {
            let request = SetTtscGroupAssetsRequest::new(
                args.id,
                SetTtscGroupAssetsRequestBody::new().asset_ids(args.assets),
            );
            call_and_print(
                ctx,
                request,
                &[("group_id", "ID"), ("asset_ids", "ASSET_ID")],
            )
            .await
        }
    }
}

/// Runs `ttsc tenant-config …`.
pub async fn tenant(ctx: &mut Ctx, cmd: TenantConfigCommand) -> CliResult<ExitCode> {
    match cmd {
        TenantConfigCommand::Get(args) => {
            // One request with exactly what was asked: no paging parameters unless given.
            let mut request = ShowVocabularySwitchConfigsRequest::new();
            request.key = args.key;
            request.limit = args.page.limit;
            request.offset = args.page.offset;
            validate(&ctx.ui, &request, &[("key", "--key")])?;
            list_records(ctx, request, &args.page).await
        }
        TenantConfigCommand::Set(args) => {
            // A string on the wire, as the official SDK sends it: `true` becomes "true".
            let value = match args.value.to_ascii_lowercase().as_str() {
                v @ ("true" | "false") => v.to_owned(),
                _ => args.value,
            };
            let mut body = SaveTtscTenantConfigsRequestBody::new(args.key, value);
            body.id = args.id;
            let request = SaveTtscTenantConfigsRequest::new(body.clone());
            call(
                ctx,
                &request,
                &[("key", "KEY"), ("value", "VALUE"), ("id", "--id")],
            )
            .await?;
            ctx.print_object(&body)
        }
    }
}
