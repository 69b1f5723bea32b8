//! The crowd engine's in-memory index of one enterprise (docs/crowds.md): every consumer's
//! attributes as compressed bitmaps per value (gender, birth year, province, …) plus a few
//! numeric columns, and every behaviour (scan, draw, win, claim, redemption) as a compact
//! 28-byte event in a time-sorted array. A condition tree is evaluated here to a roaring bitmap
//! of consumer ids: attribute conditions are unions of value bitmaps, behaviour conditions a
//! binary search for the window and one pass over its events, set algebra is bitmap algebra.
//!
//! The index catches up with PostgreSQL before every use: consumers changed since the last look
//! (by `updated_at`), events since then (by their own time column). Each source is re-read from
//! [`OVERLAP`] before the last look and de-duplicated by id, so a transaction that committed
//! late (a row stamped before the look, visible only after) is still picked up.

use crate::domain::consumers::{Education, Gender, Interest, Marital};
use crate::domain::crowd::{
    china_today, rfm_segment, total_variation, Action, AgeBand, Attribute, Behaviour, Combine, Condition, CrowdMsg, Dimension,
    DimensionStats, Drill, Group, Lifecycle, Node, ObjectKind, RfmParams, RfmReference, Segment, Significant, ValueStat, UNKNOWN,
};
use crate::domain::risk::RiskLevel;
use crate::domain::validate::Msg;
use crate::error::{AppError, AppResult};
use crate::i18n::Locale;
use chrono::{DateTime, Datelike, Utc};
use roaring::RoaringBitmap;
use std::collections::{HashMap, HashSet};

/// How far before the previous look each catch-up re-reads (longer than any transaction).
pub const OVERLAP_SECONDS: i64 = 120;

/// One behaviour: who, when, on what, where. Codes are (package, serial).
#[derive(Clone, Copy, Debug)]
pub struct Event {
    /// Unix seconds.
    pub at: u32,
    pub consumer: u32,
    /// 0: none.
    pub campaign: u32,
    pub product: u32,
    pub package: u32,
    pub serial: u32,
    /// Interned; 0: unknown.
    pub province: u16,
    pub city: u16,
}

/// A consumer's attributes as the index holds them (0 / None: unknown).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Attrs {
    pub gender: u8,
    pub birth_year: i16,
    pub province: u16,
    pub marital: u8,
    pub education: u8,
    /// Bit i: `Interest::ALL[i]`.
    pub interests: u16,
    pub risk: u8,
    pub hunter: bool,
    pub points: i32,
    pub merged_into: Option<u32>,
}

/// What a consumer's scans add up to (lifecycle, first/last scan dates).
#[derive(Clone, Copy, Debug, Default)]
struct ScanStats {
    count: u32,
    first: u32,
    last: u32,
}

/// A consumer row as read from PostgreSQL.
pub struct ConsumerRow {
    pub id: i64,
    pub gender: Option<String>,
    pub birth_year: Option<i16>,
    pub province: Option<String>,
    pub marital: Option<String>,
    pub education: Option<String>,
    pub interests: Vec<String>,
    pub risk_level: i16,
    pub bonus_hunter: bool,
    pub points: i32,
    pub merged_into: Option<i64>,
}

/// An event row as read from PostgreSQL (`id` de-duplicates the overlap).
pub struct EventRow {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub consumer_id: i64,
    pub campaign_id: Option<i64>,
    pub product_id: Option<i64>,
    pub package_id: i64,
    pub serial: i32,
    pub province: Option<String>,
    pub city: Option<String>,
}

/// Values interned to small numbers (provinces, cities); 0 is "unknown".
#[derive(Default)]
pub struct Interner {
    names: Vec<String>,
    ids: HashMap<String, u16>,
}

impl Interner {
    pub fn id(&mut self, name: Option<&str>) -> u16 {
        match name.map(str::trim).filter(|n| !n.is_empty()) {
            None => 0,
            Some(n) => {
                if let Some(id) = self.ids.get(n) {
                    return *id;
                }
                self.names.push(n.to_string());
                let id = u16::try_from(self.names.len()).unwrap_or(u16::MAX);
                self.ids.insert(n.to_string(), id);
                id
            }
        }
    }
    pub fn find(&self, name: &str) -> Option<u16> {
        self.ids.get(name.trim()).copied()
    }
    pub fn name(&self, id: u16) -> Option<&str> {
        self.names.get(usize::from(id).checked_sub(1)?).map(String::as_str)
    }
}

/// Consumer ids fit in 32 bits (roaring's space); a larger one is an error, not a silent wrap.
pub fn id32(id: i64) -> AppResult<u32> {
    u32::try_from(id).map_err(|_| AppError::Internal(format!("consumer id {id} is beyond the crowd engine's 32-bit id space")))
}

fn secs(t: DateTime<Utc>) -> u32 {
    t.timestamp().clamp(0, u32::MAX as i64) as u32
}

fn bit(b: &mut RoaringBitmap, id: u32, on: bool) {
    if on {
        b.insert(id);
    } else {
        b.remove(id);
    }
}

/// Everything the conditions of one tree need from outside the index, resolved beforehand.
#[derive(Default)]
pub struct Resolved {
    /// Members of the crowds the tree refers to.
    pub crowds: HashMap<i64, RoaringBitmap>,
    /// Code strings of behaviour conditions → (package, serial), by condition path.
    pub codes: HashMap<String, HashSet<(u32, u32)>>,
}

#[derive(Default)]
pub struct EnterpriseIndex {
    /// The previous catch-up's start: the next one reads from here minus the overlap.
    pub looked_at: Option<DateTime<Utc>>,
    attrs: HashMap<u32, Attrs>,
    /// Live consumers (not merged into another).
    pub all: RoaringBitmap,
    hunters: RoaringBitmap,
    /// With at least one portrait attribute known: the "insightable" members.
    profiled: RoaringBitmap,
    gender: [RoaringBitmap; 2],
    birth_years: HashMap<i16, RoaringBitmap>,
    provinces: HashMap<u16, RoaringBitmap>,
    marital: [RoaringBitmap; 2],
    education: [RoaringBitmap; 5],
    interests: [RoaringBitmap; 12],
    risk: [RoaringBitmap; 3],
    merged: HashMap<u32, u32>,
    scan_stats: HashMap<u32, ScanStats>,
    pub regions: Interner,
    /// Per action (`Action as usize`), sorted by time.
    events: [Vec<Event>; 5],
    /// Ids of events read at or after the overlap start, per action: the next overlap skips them.
    recent: [HashMap<i64, u32>; 5],
    /// Product unit prices (fen), for RFM's M.
    pub prices: HashMap<u32, i64>,
}

/// The position of a value known to be in `all`.
fn pos<T: Copy + PartialEq>(all: &[T], v: T) -> usize {
    all.iter().position(|x| *x == v).unwrap_or(0)
}

fn key_index<T: Copy + PartialEq>(all: &[T], v: Option<T>) -> u8 {
    v.and_then(|v| all.iter().position(|x| *x == v)).map_or(0, |i| i as u8 + 1)
}

impl EnterpriseIndex {
    pub fn events(&self, action: Action) -> &[Event] {
        &self.events[action as usize]
    }

    /// Applies a consumer row (new, changed, or merged into another).
    pub fn apply_consumer(&mut self, row: &ConsumerRow) -> AppResult<()> {
        let id = id32(row.id)?;
        let interests =
            row.interests.iter().filter_map(|k| Interest::ALL.iter().position(|i| i.key() == k)).fold(0u16, |m, i| m | (1 << i));
        let attrs = Attrs {
            gender: key_index(Gender::ALL, row.gender.as_deref().and_then(Gender::parse)),
            birth_year: row.birth_year.unwrap_or(0),
            province: self.regions.id(row.province.as_deref()),
            marital: key_index(Marital::ALL, row.marital.as_deref().and_then(Marital::parse)),
            education: key_index(Education::ALL, row.education.as_deref().and_then(Education::parse)),
            interests,
            risk: row.risk_level.clamp(0, 2) as u8,
            hunter: row.bonus_hunter,
            points: row.points,
            merged_into: row.merged_into.map(id32).transpose()?,
        };
        if let Some(old) = self.attrs.get(&id).cloned() {
            if old == attrs {
                return Ok(());
            }
            self.index(id, &old, false);
        }
        if let Some(into) = attrs.merged_into {
            self.merged.insert(id, into);
            // Its scans now count for the consumer it was merged into.
            if let Some(s) = self.scan_stats.remove(&id) {
                let t = self.scan_stats.entry(into).or_default();
                t.first = if t.count == 0 { s.first } else { t.first.min(s.first) };
                t.last = t.last.max(s.last);
                t.count += s.count;
            }
        }
        self.index(id, &attrs, true);
        self.attrs.insert(id, attrs);
        Ok(())
    }

    fn index(&mut self, id: u32, a: &Attrs, on: bool) {
        let live = on && a.merged_into.is_none();
        bit(&mut self.all, id, live);
        if a.merged_into.is_some() && on {
            return;
        }
        bit(&mut self.hunters, id, on && a.hunter);
        let profiled = a.gender > 0 || a.birth_year > 0 || a.province > 0 || a.marital > 0 || a.education > 0 || a.interests > 0;
        bit(&mut self.profiled, id, on && profiled);
        if a.gender > 0 {
            bit(&mut self.gender[a.gender as usize - 1], id, on);
        }
        if a.birth_year > 0 {
            bit(self.birth_years.entry(a.birth_year).or_default(), id, on);
        }
        if a.province > 0 {
            bit(self.provinces.entry(a.province).or_default(), id, on);
        }
        if a.marital > 0 {
            bit(&mut self.marital[a.marital as usize - 1], id, on);
        }
        if a.education > 0 {
            bit(&mut self.education[a.education as usize - 1], id, on);
        }
        for (i, b) in self.interests.iter_mut().enumerate() {
            if a.interests & (1 << i) != 0 {
                bit(b, id, on);
            }
        }
        bit(&mut self.risk[a.risk.min(2) as usize], id, on);
    }

    /// Starts appending the events of one catch-up.
    pub fn begin_events(&self, action: Action) -> EventBatch {
        EventBatch { action, len0: self.events[action as usize].len(), earliest: u32::MAX }
    }

    /// Appends events read by a catch-up that started at `look`, skipping those already held.
    pub fn push_events(&mut self, batch: &mut EventBatch, rows: Vec<EventRow>, look: DateTime<Utc>) -> AppResult<()> {
        let (action, k) = (batch.action, batch.action as usize);
        let keep_from = secs(look).saturating_sub(OVERLAP_SECONDS as u32);
        for r in rows {
            if self.recent[k].contains_key(&r.id) {
                continue;
            }
            let e = Event {
                at: secs(r.at),
                consumer: id32(r.consumer_id)?,
                campaign: r.campaign_id.map(id32).transpose()?.unwrap_or(0),
                product: r.product_id.map(id32).transpose()?.unwrap_or(0),
                package: id32(r.package_id)?,
                serial: r.serial.max(0) as u32,
                province: self.regions.id(r.province.as_deref()),
                city: self.regions.id(r.city.as_deref()),
            };
            if e.at >= keep_from {
                self.recent[k].insert(r.id, e.at);
            }
            if action == Action::Scan {
                let owner = self.merged.get(&e.consumer).copied().unwrap_or(e.consumer);
                let s = self.scan_stats.entry(owner).or_default();
                s.first = if s.count == 0 { e.at } else { s.first.min(e.at) };
                s.last = s.last.max(e.at);
                s.count += 1;
            }
            batch.earliest = batch.earliest.min(e.at);
            self.events[k].push(e);
        }
        Ok(())
    }

    /// Re-sorts what the catch-up appended (from the first older event it overlaps) and forgets
    /// ids that fell out of the overlap.
    pub fn end_events(&mut self, batch: EventBatch, look: DateTime<Utc>) {
        let k = batch.action as usize;
        let v = &mut self.events[k];
        if v.len() > batch.len0 {
            let from = v[..batch.len0].partition_point(|e| e.at < batch.earliest);
            v[from..].sort_by_key(|e| e.at);
        }
        let keep_from = secs(look).saturating_sub(OVERLAP_SECONDS as u32);
        self.recent[k].retain(|_, at| *at >= keep_from);
    }

    fn owner(&self, consumer: u32) -> u32 {
        if self.merged.is_empty() {
            return consumer;
        }
        let mut c = consumer;
        // Merges may chain (a merged into b merged into c); bounded against a cycle in bad data.
        for _ in 0..8 {
            match self.merged.get(&c) {
                Some(n) => c = *n,
                None => break,
            }
        }
        c
    }

    // ---------- evaluation ----------

    /// The members of a tree, and each node's own size by path. `keep_going` is asked between
    /// nodes: false (a newer edit arrived) abandons the evaluation.
    pub fn evaluate(
        &self,
        tree: &Group,
        resolved: &Resolved,
        now: DateTime<Utc>,
        keep_going: &dyn Fn() -> bool,
    ) -> AppResult<(RoaringBitmap, Vec<(String, u64)>)> {
        let mut sizes = vec![];
        let members = self.group(tree, "tree", resolved, now, keep_going, &mut sizes)?;
        Ok((members, sizes))
    }

    fn group(
        &self,
        g: &Group,
        path: &str,
        resolved: &Resolved,
        now: DateTime<Utc>,
        keep_going: &dyn Fn() -> bool,
        sizes: &mut Vec<(String, u64)>,
    ) -> AppResult<RoaringBitmap> {
        let mut acc: Option<RoaringBitmap> = None;
        for (i, item) in g.items.iter().enumerate() {
            if !keep_going() {
                return Err(AppError::field("tree", Msg::Crowd(CrowdMsg::Superseded)));
            }
            let p = crate::domain::crowd::child_path(path, i);
            let b = match item {
                Node::Group(inner) => self.group(inner, &p, resolved, now, keep_going, sizes)?,
                Node::Condition(c) => self.condition(c, &p, resolved, now)?,
            };
            sizes.push((p, b.len()));
            acc = Some(match acc {
                None => b,
                Some(a) => match g.combine {
                    Combine::Union => a | b,
                    Combine::Intersection => a & b,
                    Combine::Difference => a - b,
                },
            });
        }
        Ok(acc.unwrap_or_default())
    }

    fn condition(&self, c: &Condition, path: &str, resolved: &Resolved, now: DateTime<Utc>) -> AppResult<RoaringBitmap> {
        Ok(match c {
            Condition::Behaviour(b) => self.behaviour(b, resolved.codes.get(path), now),
            Condition::Attribute(a) => self.attribute(a, now),
            Condition::Rfm(r) => {
                let (rows, reference) = self.rfm_rows(None, &r.params, now);
                rows.iter()
                    .filter(|row| r.segments.contains(&rfm_segment(row.r_days as f64, row.f as f64, row.m as f64, reference)))
                    .map(|row| row.consumer)
                    .collect()
            }
            Condition::Crowd { crowd_id, member } => {
                let m = resolved.crowds.get(crowd_id).cloned().unwrap_or_default() & &self.all;
                if *member {
                    m
                } else {
                    &self.all - m
                }
            }
        })
    }

    /// One pass over the window's events of the action, counting per consumer when a count or
    /// distinct-code range asks for it.
    pub fn behaviour(&self, b: &Behaviour, codes: Option<&HashSet<(u32, u32)>>, now: DateTime<Utc>) -> RoaringBitmap {
        let (start, end) = b.window.instants(china_today(now));
        let (start, end) = (secs(start), secs(end));
        let events = self.events(b.action);
        let lo = events.partition_point(|e| e.at < start);
        let hi = events.partition_point(|e| e.at < end);
        let objects: HashSet<u32> = b.object_ids.iter().filter_map(|i| u32::try_from(*i).ok()).collect();
        let provinces: HashSet<u16> = b.provinces.iter().filter_map(|p| self.regions.find(p)).collect();
        let cities: HashSet<u16> = b.cities.iter().filter_map(|c| self.regions.find(c)).collect();
        let anywhere = b.provinces.is_empty() && b.cities.is_empty();
        let empty = HashSet::new();
        let codes = codes.unwrap_or(&empty);
        let matches = |e: &Event| {
            (match b.object {
                ObjectKind::Any => true,
                ObjectKind::Campaign => objects.contains(&e.campaign),
                ObjectKind::Product => objects.contains(&e.product),
                ObjectKind::Code => codes.contains(&(e.package, e.serial)),
            }) && (anywhere || provinces.contains(&e.province) || cities.contains(&e.city))
        };
        let counted = b.count.min.unwrap_or(1) > 1 || b.count.max.is_some();
        let distinct = b.distinct_codes.min.is_some() || b.distinct_codes.max.is_some();
        let window = events[lo..hi].iter().filter(|e| matches(e));
        let within = |n: u32, r: &crate::domain::campaign::CountRange| r.min.unwrap_or(1) <= n && r.max.is_none_or(|m| n <= m);
        let members: RoaringBitmap = if !counted && !distinct {
            window.map(|e| self.owner(e.consumer)).collect()
        } else {
            let mut counts: HashMap<u32, u32> = HashMap::new();
            let mut pairs: Vec<(u32, u32, u32)> = vec![];
            for e in window {
                let c = self.owner(e.consumer);
                *counts.entry(c).or_default() += 1;
                if distinct {
                    pairs.push((c, e.package, e.serial));
                }
            }
            let mut codes_per: HashMap<u32, u32> = HashMap::new();
            if distinct {
                pairs.sort_unstable();
                pairs.dedup();
                for (c, _, _) in pairs {
                    *codes_per.entry(c).or_default() += 1;
                }
            }
            counts
                .into_iter()
                .filter(|(c, n)| within(*n, &b.count) && (!distinct || within(codes_per.get(c).copied().unwrap_or(0), &b.distinct_codes)))
                .map(|(c, _)| c)
                .collect()
        };
        members & &self.all
    }

    fn age_band(&self, band: AgeBand, this_year: i32) -> RoaringBitmap {
        let mut out = RoaringBitmap::new();
        for (y, b) in &self.birth_years {
            if AgeBand::of(i32::from(*y), this_year) == band {
                out |= b;
            }
        }
        out
    }

    pub fn attribute(&self, a: &Attribute, now: DateTime<Utc>) -> RoaringBitmap {
        let union = |bs: Vec<&RoaringBitmap>| bs.into_iter().fold(RoaringBitmap::new(), |acc, b| acc | b);
        let this_year = (now + chrono::Duration::hours(8)).year();
        match a {
            Attribute::Gender(v) => union(v.iter().map(|g| &self.gender[pos(Gender::ALL, *g)]).collect()),
            Attribute::Marital(v) => union(v.iter().map(|m| &self.marital[pos(Marital::ALL, *m)]).collect()),
            Attribute::Education(v) => union(v.iter().map(|e| &self.education[pos(Education::ALL, *e)]).collect()),
            Attribute::Risk(v) => union(v.iter().map(|r| &self.risk[r.number() as usize]).collect()),
            Attribute::AgeBand(v) => v.iter().fold(RoaringBitmap::new(), |acc, b| acc | self.age_band(*b, this_year)),
            Attribute::Province(v) => {
                union(v.iter().filter_map(|p| self.regions.find(p)).filter_map(|id| self.provinces.get(&id)).collect())
            }
            Attribute::Interests { tags, all } => {
                let sets = tags.iter().map(|t| &self.interests[pos(Interest::ALL, *t)]);
                if *all {
                    sets.fold(self.all.clone(), |acc, b| acc & b)
                } else {
                    union(sets.collect())
                }
            }
            Attribute::Points(r) => self
                .attrs
                .iter()
                .filter(|(_, a)| a.merged_into.is_none())
                .filter(|(_, a)| r.min.is_none_or(|m| a.points as i64 >= m as i64) && r.max.is_none_or(|m| a.points as i64 <= m as i64))
                .map(|(id, _)| *id)
                .collect(),
            Attribute::FirstScan { from, to } | Attribute::LastScan { from, to } => {
                let start = from.map_or(0, |d| secs(crate::domain::crowd::china_midnight(d)));
                let end = to.map_or(u32::MAX, |d| secs(crate::domain::crowd::china_midnight(d + chrono::Duration::days(1))));
                let first = matches!(a, Attribute::FirstScan { .. });
                let members: RoaringBitmap = self
                    .scan_stats
                    .iter()
                    .filter(|(_, s)| {
                        let t = if first { s.first } else { s.last };
                        s.count > 0 && t >= start && t < end
                    })
                    .map(|(id, _)| *id)
                    .collect();
                members & &self.all
            }
            Attribute::Lifecycle(l) => {
                let members: RoaringBitmap = self
                    .scan_stats
                    .iter()
                    .filter(|(_, s)| match l {
                        Lifecycle::New => s.count == 1,
                        Lifecycle::Returning => s.count >= 2,
                    })
                    .map(|(id, _)| *id)
                    .collect();
                members & &self.all
            }
        }
    }

    /// Members without the bonus hunters.
    pub fn without_hunters(&self, members: RoaringBitmap) -> RoaringBitmap {
        members - &self.hunters
    }

    /// Members (live ones) with at least one portrait attribute.
    pub fn insightable(&self, members: &RoaringBitmap) -> u64 {
        members.intersection_len(&self.profiled)
    }

    // ---------- insight ----------

    /// The value bitmaps of a dimension, with their keys and labels.
    fn values(&self, d: Dimension, now: DateTime<Utc>, l: Locale) -> Vec<(String, String, RoaringBitmap)> {
        let this_year = (now + chrono::Duration::hours(8)).year();
        match d {
            Dimension::Gender => {
                Gender::ALL.iter().zip(&self.gender).map(|(g, b)| (g.key().into(), g.label(l).into(), b.clone())).collect()
            }
            Dimension::Marital => {
                Marital::ALL.iter().zip(&self.marital).map(|(g, b)| (g.key().into(), g.label(l).into(), b.clone())).collect()
            }
            Dimension::Education => {
                Education::ALL.iter().zip(&self.education).map(|(g, b)| (g.key().into(), g.label(l).into(), b.clone())).collect()
            }
            Dimension::Interest => {
                Interest::ALL.iter().zip(&self.interests).map(|(g, b)| (g.key().into(), g.label(l).into(), b.clone())).collect()
            }
            Dimension::Risk => RiskLevel::ALL
                .iter()
                .zip(&self.risk)
                .map(|(r, b)| (r.number().to_string(), crate::domain::consumers::risk_label(*r, l).into(), b.clone()))
                .collect(),
            Dimension::AgeBand => AgeBand::ALL.iter().map(|a| (a.key().into(), a.label(l).into(), self.age_band(*a, this_year))).collect(),
            Dimension::Lifecycle => {
                Lifecycle::ALL.iter().map(|c| (c.key().into(), c.label(l).into(), self.attribute(&Attribute::Lifecycle(*c), now))).collect()
            }
            Dimension::Province => {
                let mut v: Vec<_> = self
                    .provinces
                    .iter()
                    .filter_map(|(id, b)| self.regions.name(*id).map(|n| (n.to_string(), n.to_string(), b.clone())))
                    .collect();
                v.sort_by_key(|(_, _, b)| std::cmp::Reverse(b.len()));
                v
            }
        }
    }

    /// The members a drill-down keeps.
    pub fn drill(&self, members: RoaringBitmap, drill: Option<Drill>, now: DateTime<Utc>) -> RoaringBitmap {
        match drill {
            None => members,
            Some(Drill::Gender(g)) => members & self.attribute(&Attribute::Gender(vec![g]), now),
            Some(Drill::AgeBand(a)) => members & self.attribute(&Attribute::AgeBand(vec![a]), now),
            Some(Drill::Interest(i)) => members & self.attribute(&Attribute::Interests { tags: vec![i], all: false }, now),
        }
    }

    fn stats(&self, d: Dimension, members: &RoaringBitmap, now: DateTime<Utc>, l: Locale) -> DimensionStats {
        let (size, all) = (members.len(), self.all.len());
        let share = |n: u64, of: u64| if of == 0 { 0.0 } else { n as f64 / of as f64 };
        let mut values: Vec<ValueStat> = self
            .values(d, now, l)
            .into_iter()
            .map(|(key, label, b)| {
                let (count, all_count) = (members.intersection_len(&b), b.len());
                ValueStat {
                    key,
                    label,
                    count,
                    share: share(count, size),
                    all_count,
                    all_share: share(all_count, all),
                    tgi: crate::domain::crowd::tgi(count, size, all_count, all),
                }
            })
            .collect();
        if d != Dimension::Interest {
            // Single-valued: what no value covers is unknown (no TGI).
            let (known, all_known) = values.iter().fold((0, 0), |(a, b), v| (a + v.count, b + v.all_count));
            let (count, all_count) = (size.saturating_sub(known), all.saturating_sub(all_known));
            values.push(ValueStat {
                key: UNKNOWN.into(),
                label: match l {
                    Locale::Zh => "未知".into(),
                    Locale::En => "Unknown".into(),
                },
                count,
                share: share(count, size),
                all_count,
                all_share: share(all_count, all),
                tgi: None,
            });
        }
        DimensionStats { dimension: d, values }
    }

    /// Portrait of `members` (already drilled): the basic dimensions, interests, and the
    /// attributes whose distribution differs most from all consumers (total variation distance).
    pub fn portrait(
        &self,
        members: &RoaringBitmap,
        now: DateTime<Utc>,
        l: Locale,
    ) -> (Vec<DimensionStats>, DimensionStats, Vec<Significant>) {
        let members = &(members & &self.all);
        let dims: Vec<DimensionStats> = Dimension::BASIC.iter().map(|d| self.stats(*d, members, now, l)).collect();
        let interests = self.stats(Dimension::Interest, members, now, l);
        let mut significant: Vec<Significant> = dims
            .iter()
            .chain([self.stats(Dimension::Risk, members, now, l), self.stats(Dimension::Lifecycle, members, now, l)].iter())
            .map(|s| Significant {
                dimension: s.dimension,
                value: None,
                label: s.dimension.label(l).into(),
                distance: total_variation(
                    &s.values.iter().map(|v| v.count).collect::<Vec<_>>(),
                    &s.values.iter().map(|v| v.all_count).collect::<Vec<_>>(),
                ),
            })
            .collect();
        let (size, all) = (members.len(), self.all.len());
        significant.extend(interests.values.iter().map(|v| Significant {
            dimension: Dimension::Interest,
            value: Some(v.key.clone()),
            label: format!("{}：{}", Dimension::Interest.label(l), v.label),
            distance: total_variation(&[v.count, size - v.count], &[v.all_count, all - v.all_count]),
        }));
        significant.sort_by(|a, b| b.distance.total_cmp(&a.distance));
        significant.truncate(crate::domain::crowd::SIGNIFICANT_TOP);
        (dims, interests, significant)
    }

    /// Per consumer with a scan in the period: R (days since the last scan), F, M; and the
    /// reference values. `members` None: all consumers.
    pub fn rfm_rows(&self, members: Option<&RoaringBitmap>, p: &RfmParams, now: DateTime<Utc>) -> (Vec<RfmRow>, (f64, f64, f64)) {
        let now_s = secs(now);
        let start = now_s.saturating_sub(p.period_days * 86_400);
        let scans = self.events(Action::Scan);
        let lo = scans.partition_point(|e| e.at < start);
        let mut per: HashMap<u32, (u32, u32, i64)> = HashMap::new();
        for e in &scans[lo..] {
            let c = self.owner(e.consumer);
            let price = self.prices.get(&e.product).copied().unwrap_or(0);
            let v = per.entry(c).or_insert((0, 0, 0));
            v.0 = v.0.max(e.at);
            v.1 += 1;
            v.2 += price;
        }
        let mut rows: Vec<RfmRow> = per
            .into_iter()
            .filter(|(c, _)| self.all.contains(*c) && members.is_none_or(|m| m.contains(*c)))
            .map(|(consumer, (last, f, m))| RfmRow { consumer, r_days: now_s.saturating_sub(last) / 86_400, f, m })
            .collect();
        rows.sort_unstable_by_key(|r| r.consumer);
        let reference = match p.reference {
            RfmReference::Custom { r_days, f, m_fen } => (r_days, f, m_fen),
            RfmReference::Mean if rows.is_empty() => (0.0, 0.0, 0.0),
            RfmReference::Mean => {
                let n = rows.len() as f64;
                let (r, f, m) = rows.iter().fold((0f64, 0f64, 0f64), |(r, f, m), x| (r + x.r_days as f64, f + x.f as f64, m + x.m as f64));
                (r / n, f / n, m / n)
            }
        };
        (rows, reference)
    }

    pub fn segment_of(row: &RfmRow, reference: (f64, f64, f64)) -> Segment {
        rfm_segment(row.r_days as f64, row.f as f64, row.m as f64, reference)
    }
}

/// Events of one action being appended by a catch-up.
pub struct EventBatch {
    action: Action,
    len0: usize,
    earliest: u32,
}

#[derive(Clone, Copy, Debug)]
pub struct RfmRow {
    pub consumer: u32,
    pub r_days: u32,
    pub f: u32,
    pub m: i64,
}
