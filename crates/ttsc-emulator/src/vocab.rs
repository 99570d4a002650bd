//! Custom pronunciations (vocabulary configs), vocabulary groups and tenant switches.

use ttsc_models::{
    SaveTtscTenantConfigsRequestBody, SaveTtscVocabularyConfigsRequestBody, TtscGroupAssetsConfig,
    VocabularyConfig, VocabularyType,
};

use crate::clock::rfc3339_secs;

/// One vocabulary entry.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub(crate) id: String,
    pub(crate) kind: VocabularyType,
    pub(crate) key: Option<String>,
    pub(crate) value: Option<String>,
    pub(crate) group_id: Option<String>,
    pub(crate) created_secs: i64,
    pub(crate) updated_secs: i64,
}

impl Entry {
    fn to_wire(&self) -> VocabularyConfig {
        let mut c = VocabularyConfig::new()
            .id(self.id.clone())
            .r#type(self.kind.clone())
            .create_time(rfc3339_secs(self.created_secs))
            .update_time(rfc3339_secs(self.updated_secs));
        c.key.clone_from(&self.key);
        c.value.clone_from(&self.value);
        c.group_id.clone_from(&self.group_id);
        c
    }
}

/// One vocabulary group.
#[derive(Debug, Clone)]
pub(crate) struct Group {
    pub(crate) id: String,
    pub(crate) name: Option<String>,
    pub(crate) asset_ids: Vec<String>,
}

/// The filters of ListTtscVocabularyConfigs the emulator applies.
#[derive(Debug, Default)]
pub(crate) struct EntryFilter {
    pub(crate) kind: Option<VocabularyType>,
    pub(crate) group_id: Option<String>,
    pub(crate) asset_id: Option<String>,
    pub(crate) start: Option<i64>,
    pub(crate) end: Option<i64>,
    pub(crate) search_key: Option<String>,
}

/// Vocabulary entries, groups and tenant switches of the one tenant.
#[derive(Debug, Default)]
pub(crate) struct Vocabulary {
    entries: Vec<Entry>,
    groups: Vec<Group>,
    tenant: Vec<SaveTtscTenantConfigsRequestBody>,
}

impl Vocabulary {
    pub(crate) fn has_group(&self, id: &str) -> bool {
        self.groups.iter().any(|g| g.id == id)
    }

    pub(crate) fn create_entry(
        &mut self,
        id: String,
        body: &SaveTtscVocabularyConfigsRequestBody,
        now_secs: i64,
    ) {
        self.entries.push(Entry {
            id,
            kind: body.r#type.clone(),
            key: body.key.clone(),
            value: body.value.clone(),
            group_id: body.group_id.clone(),
            created_secs: now_secs,
            updated_secs: now_secs,
        });
    }

    /// Replaces an entry's fields; false when there is no such entry.
    pub(crate) fn update_entry(
        &mut self,
        id: &str,
        body: &SaveTtscVocabularyConfigsRequestBody,
        now_secs: i64,
    ) -> bool {
        let Some(e) = self.entries.iter_mut().find(|e| e.id == id) else {
            return false;
        };
        e.kind = body.r#type.clone();
        e.key.clone_from(&body.key);
        e.value.clone_from(&body.value);
        e.group_id.clone_from(&body.group_id);
        e.updated_secs = now_secs;
        true
    }

    /// Deletes the entries with these ids (unknown ids are ignored).
    pub(crate) fn delete_entries(&mut self, ids: &[String]) {
        self.entries.retain(|e| !ids.contains(&e.id));
    }

    /// The number of matching entries and one page of them, newest first.
    pub(crate) fn list_entries(
        &self,
        f: &EntryFilter,
        offset: usize,
        limit: usize,
    ) -> (usize, Vec<VocabularyConfig>) {
        let needle = f.search_key.as_deref().map(str::to_lowercase);
        let groups_with_asset: Vec<&str> = match &f.asset_id {
            Some(asset) => self
                .groups
                .iter()
                .filter(|g| g.asset_ids.iter().any(|a| a == asset))
                .map(|g| g.id.as_str())
                .collect(),
            None => Vec::new(),
        };
        let matches = |e: &&Entry| {
            f.kind.as_ref().is_none_or(|k| *k == e.kind)
                && f.group_id
                    .as_deref()
                    .is_none_or(|g| e.group_id.as_deref() == Some(g))
                && (f.asset_id.is_none()
                    || e.group_id
                        .as_deref()
                        .is_some_and(|g| groups_with_asset.contains(&g)))
                && f.start.is_none_or(|s| e.created_secs >= s)
                && f.end.is_none_or(|t| e.created_secs <= t)
                && needle.as_deref().is_none_or(|n| {
                    [&e.key, &e.value]
                        .iter()
                        .any(|v| v.as_deref().is_some_and(|v| v.to_lowercase().contains(n)))
                })
        };
        let all: Vec<&Entry> = self.entries.iter().rev().filter(matches).collect();
        let page = all
            .iter()
            .skip(offset)
            .take(limit)
            .map(|e| e.to_wire())
            .collect();
        (all.len(), page)
    }

    pub(crate) fn create_group(&mut self, id: String, name: Option<String>) {
        self.groups.push(Group {
            id,
            name,
            asset_ids: Vec::new(),
        });
    }

    /// Renames a group; false when there is no such group.
    pub(crate) fn rename_group(&mut self, id: &str, name: Option<String>) -> bool {
        match self.groups.iter_mut().find(|g| g.id == id) {
            Some(g) => {
                g.name = name;
                true
            }
            None => false,
        }
    }

    /// Sets a group's assets; false when there is no such group.
    pub(crate) fn set_assets(&mut self, id: &str, assets: Vec<String>) -> bool {
        match self.groups.iter_mut().find(|g| g.id == id) {
            Some(g) => {
                g.asset_ids = assets;
                true
            }
            None => false,
        }
    }

    /// Deletes a group; its entries stay, without a group. False when there is no such
    /// group.
    pub(crate) fn delete_group(&mut self, id: &str) -> bool {
        let before = self.groups.len();
        self.groups.retain(|g| g.id != id);
        if self.groups.len() == before {
            return false;
        }
        for e in &mut self.entries {
            if e.group_id.as_deref() == Some(id) {
                e.group_id = None;
            }
        }
        true
    }

    /// The number of matching groups and one page of them, newest first.
    pub(crate) fn list_groups(
        &self,
        group_id: Option<&str>,
        offset: usize,
        limit: usize,
    ) -> (usize, Vec<TtscGroupAssetsConfig>) {
        let all: Vec<&Group> = self
            .groups
            .iter()
            .rev()
            .filter(|g| group_id.is_none_or(|id| g.id == id))
            .collect();
        let page = all
            .iter()
            .skip(offset)
            .take(limit)
            .map(|g| {
                let mut c = TtscGroupAssetsConfig::new()
                    .group_id(g.id.clone())
                    .asset_ids(g.asset_ids.clone());
                c.group_name.clone_from(&g.name);
                c
            })
            .collect();
        (all.len(), page)
    }

    /// Saves a tenant switch (replacing one with the same key).
    pub(crate) fn save_tenant(&mut self, id: String, key: &str, value: String) {
        let saved = SaveTtscTenantConfigsRequestBody::new(key, value).id(id);
        match self.tenant.iter_mut().find(|c| c.key == key) {
            Some(existing) => {
                let id = existing.id.clone();
                *existing = saved;
                existing.id = id;
            }
            None => self.tenant.push(saved),
        }
    }

    /// The tenant switches matching `key`.
    pub(crate) fn tenant(&self, key: Option<&str>) -> Vec<SaveTtscTenantConfigsRequestBody> {
        self.tenant
            .iter()
            .filter(|c| key.is_none_or(|k| c.key == k))
            .cloned()
            .collect()
    }
}
