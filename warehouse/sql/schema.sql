-- The pledgewatch warehouse, as this version defines it. Every table states its grain; every column is documented
-- with `comment on` (`pledgewatch schema` prints them). A new warehouse is created from this file; an existing one
-- is first brought up to date by the numbered files in migrations/, then this file runs (it is idempotent).

-- No primary key on the large tables (articles, claims, canonical_claims): uniqueness is kept by the loader (an
-- article replaces its earlier row, its claims are replaced whole, duplicates in a batch dropped), and bulk loads
-- run without index upkeep.
create table if not exists articles (
    article_id varchar not null,
    url varchar not null,
    canonical_url varchar not null,
    outlet varchar,
    title varchar,
    authors varchar[],
    published_at timestamptz,
    section varchar,
    body varchar,
    language varchar,
    content_hash varchar not null,
    fetched_at timestamptz,
    first_seen_at timestamptz not null,
    last_seen_at timestamptz not null,
    revision integer default 1,
    etag varchar,
    last_modified varchar,
    warc_file varchar,
    warc_record_id varchar,
    extractor_version varchar
);

comment on table articles is 'One row per article (canonical URL), holding the latest version seen.';
comment on column articles.article_id is 'Stable identity: first 16 hex digits of sha1(canonical_url).';
comment on column articles.url is 'The URL the article was fetched from (or the local file it was read from).';
comment on column articles.canonical_url is 'The canonical URL the page declares (link rel=canonical, og:url), else the fetched URL.';
comment on column articles.outlet is 'Outlet key: pbs, guardian, warzone, or the host name for other sites; file for local files.';
comment on column articles.title is 'Headline as published.';
comment on column articles.authors is 'Bylines as a list of names.';
comment on column articles.published_at is 'Publication time as the page states it; null when the page gives none.';
comment on column articles.section is 'Section or category the outlet files the article under.';
comment on column articles.body is 'Plain-text body; paragraphs separated by blank lines. Claim offsets count in title || chr(10) || body.';
comment on column articles.language is 'Language code the page declares, when it does.';
comment on column articles.content_hash is 'sha256 of headline and body; a change means a new version of the article.';
comment on column articles.fetched_at is 'When the page was fetched (the time of the run for local files).';
comment on column articles.first_seen_at is 'When pledgewatch first stored this article.';
comment on column articles.last_seen_at is 'When pledgewatch last saw this article, changed or not.';
comment on column articles.revision is 'Number of the current version; 1 for an article never changed (earlier versions are in article_revisions).';
comment on column articles.etag is 'ETag the server sent with the current version, for conditional requests.';
comment on column articles.last_modified is 'Last-Modified the server sent with the current version, for conditional requests.';
comment on column articles.warc_file is 'Evidence: the web archive (WARC) file holding the response of the current version.';
comment on column articles.warc_record_id is 'Evidence: WARC-Record-ID of that response record.';
comment on column articles.extractor_version is 'Version of the extractor whose claims are stored for the current revision.';

create table if not exists article_revisions (
    article_id varchar not null,
    revision integer not null,
    canonical_url varchar not null,
    content_hash varchar not null,
    title varchar,
    body varchar,
    fetched_at timestamptz,
    superseded_at timestamptz not null,
    warc_file varchar,
    warc_record_id varchar,
    primary key (article_id, revision)
);

comment on table article_revisions is 'One row per earlier version of an article: what the page said before its text changed (the current version is in articles; the view article_versions shows them all).';
comment on column article_revisions.article_id is 'The article (articles.article_id).';
comment on column article_revisions.revision is 'Version number, 1 for the first text stored, counting up with each change.';
comment on column article_revisions.canonical_url is 'Canonical URL of the article.';
comment on column article_revisions.content_hash is 'sha256 of headline and body of this version.';
comment on column article_revisions.title is 'Headline of this version.';
comment on column article_revisions.body is 'Plain-text body of this version.';
comment on column article_revisions.fetched_at is 'When this version was fetched.';
comment on column article_revisions.superseded_at is 'When a newer text replaced this version.';
comment on column article_revisions.warc_file is 'Evidence: the web archive file holding the response of this version.';
comment on column article_revisions.warc_record_id is 'Evidence: WARC-Record-ID of that response record.';

create table if not exists claims (
    claim_id varchar not null,
    doc varchar not null,
    sentence varchar not null,
    pledger varchar not null,
    recipient varchar not null,
    amount double,
    currency varchar,
    speaker varchar not null,
    speaker_side varchar not null,
    stance varchar not null,
    control varchar,
    conditions varchar[],
    timeframe varchar,
    amount_high double,
    timeframe_until date,
    article_url varchar,
    "start" integer not null,
    "end" integer not null,
    rule_id varchar,
    confidence double,
    extractor_version varchar not null
);

comment on table claims is 'One row per claim mention: one sentence of one article stating one pledger''s pledge (one amount).';
comment on column claims.claim_id is 'Stable identity: hash of article URL, sentence offsets, pledger and amount.';
comment on column claims.doc is 'Document id: the canonical URL for crawled articles, the file name without extension for local files.';
comment on column claims.sentence is 'The claim sentence verbatim: the evidence a fact-checker reads.';
comment on column claims.pledger is 'Who pledges: ISO 3166-1 alpha-3 country code, or EU.';
comment on column claims.recipient is 'Who receives the money: ISO 3166-1 alpha-3 code (usually USA), or EU.';
comment on column claims.amount is 'Pledged amount stated in this sentence, in units of currency (lower bound of a range); null when none.';
comment on column claims.currency is 'ISO 4217 code of amount (the USD figure when a bracketed USD equivalent is given).';
comment on column claims.speaker is 'Who makes the claim, as named in the text; author for the article''s own narration.';
comment on column claims.speaker_side is 'us (US administration), partner (the pledger''s government and state media), third_party, or author.';
comment on column claims.stance is 'asserted (presented as real or firm), hedged (uncertain), or disputed (denied, corrected, downplayed, non-binding).';
comment on column claims.control is 'Who decides where the money goes per this sentence: us, partner, or null.';
comment on column claims.conditions is 'Verbatim phrases stating terms or conditions (instruments, profit splits, prerequisites, scope).';
comment on column claims.timeframe is 'Verbatim phrase saying when or over what period the money flows; null when none.';
comment on column claims.amount_high is 'Upper bound when the sentence states a range; null otherwise.';
comment on column claims.timeframe_until is 'Date the timeframe ends by, parsed relative to the publication date; null when none or open.';
comment on column claims.article_url is 'Evidence: canonical URL of the article (joins articles.canonical_url).';
comment on column claims."start" is 'Evidence: character offset where the sentence starts in title || chr(10) || body.';
comment on column claims."end" is 'Evidence: character offset where the sentence ends (exclusive).';
comment on column claims.rule_id is 'Evidence: the extraction rules that fired, comma-separated.';
comment on column claims.confidence is 'The extractor''s confidence in the claim, 0 to 1.';
comment on column claims.extractor_version is 'Version of the extractor that produced the row.';

create table if not exists runs (
    run_id varchar primary key,
    command varchar not null,
    started_at timestamptz not null,
    finished_at timestamptz,
    status varchar,
    articles_fetched integer,
    articles_new integer,
    articles_changed integer,
    articles_unchanged integer,
    claims_added integer,
    flags_open integer,
    spider_stats json,
    failures json,
    flags_opened integer,
    error varchar
);

comment on table runs is 'One row per run of nightly, crawl or ingest.';
comment on column runs.run_id is 'Run identity: UTC start time and a random suffix.';
comment on column runs.command is 'The command that ran (nightly, ingest).';
comment on column runs.started_at is 'When the run started.';
comment on column runs.finished_at is 'When the run finished; null while it runs or when it died.';
comment on column runs.status is 'running, then ok, partial (some pages or outlets failed), failed (nothing stored, or a fault stopped it) or aborted (the process died; marked by the next nightly run).';
comment on column runs.articles_fetched is 'Articles the crawl (or the file reader) delivered.';
comment on column runs.articles_new is 'Articles stored for the first time.';
comment on column runs.articles_changed is 'Articles whose content changed since they were last stored.';
comment on column runs.articles_unchanged is 'Articles seen again with the same content.';
comment on column runs.claims_added is 'Claims stored that were not stored before.';
comment on column runs.flags_open is 'Flags present after the run.';
comment on column runs.spider_stats is 'Per spider: fetched, parsed, skipped, failed.';
comment on column runs.failures is 'List of {url, reason} for pages or files that failed.';
comment on column runs.flags_opened is 'Flags the run raised for the first time, or raised again after they had closed.';
comment on column runs.error is 'Why the run failed or was aborted, in one line; null when it ran to its end.';

create table if not exists crawl_stats (
    run_id varchar not null,
    spider varchar not null,
    fetched integer not null default 0,
    parsed integer not null default 0,
    skipped integer not null default 0,
    failed integer not null default 0,
    unchanged integer not null default 0,
    primary key (run_id, spider)
);

comment on table crawl_stats is 'One row per spider per run: what the spider fetched and what became of it.';
comment on column crawl_stats.run_id is 'The run (runs.run_id).';
comment on column crawl_stats.spider is 'Spider name: pbs, guardian, warzone, or url for crawl --url.';
comment on column crawl_stats.fetched is 'Responses received (feeds and pages).';
comment on column crawl_stats.parsed is 'Article pages parsed into articles.';
comment on column crawl_stats.skipped is 'Pages that were not articles (index pages, videos).';
comment on column crawl_stats.failed is 'Pages that failed: HTTP errors, timeouts, refused by robots.txt, unparseable.';
comment on column crawl_stats.unchanged is 'Article pages the server reported unchanged (HTTP 304) since the last run.';

create table if not exists crawl_failures (
    run_id varchar not null,
    url varchar not null,
    reason varchar not null
);

comment on table crawl_failures is 'One row per page or file that failed in a run, with the reason.';
comment on column crawl_failures.run_id is 'The run (runs.run_id).';
comment on column crawl_failures.url is 'The URL (or local file) that failed.';
comment on column crawl_failures.reason is 'Why, in one line (HTTP 404, timeout, not UTF-8, ...).';

create table if not exists schema_migrations (
    version integer primary key,
    name varchar not null,
    applied_at timestamptz not null
);

comment on table schema_migrations is 'One row per schema migration applied to this warehouse file.';
comment on column schema_migrations.version is 'Migration number (the file name''s leading digits).';
comment on column schema_migrations.name is 'Migration file name.';
comment on column schema_migrations.applied_at is 'When it was applied (or when a new warehouse was created at that version).';

create table if not exists flags (
    flag_id varchar primary key,
    kind varchar not null,
    pledger varchar not null,
    recipient varchar not null,
    us_canonical_claim_id varchar not null,
    other_canonical_claim_id varchar not null,
    us_claim_id varchar,
    other_claim_id varchar,
    evidence_pairs integer not null,
    explanation varchar not null,
    is_open boolean not null,
    first_seen_at timestamptz not null,
    last_seen_at timestamptz not null,
    closed_at timestamptz
);

comment on table flags is 'One row per contradiction ever raised for a deal: (kind, pledger, recipient), kept when the claims no longer support it.';
comment on column flags.flag_id is 'Stable identity: hash of kind, pledger and recipient; reviews refer to it.';
comment on column flags.kind is 'amount_mismatch, stance_mismatch, control_mismatch, timing_mismatch, condition_mismatch or us_self_inconsistency.';
comment on column flags.pledger is 'The deal''s pledger (ISO alpha-3 or EU).';
comment on column flags.recipient is 'The deal''s recipient (ISO alpha-3).';
comment on column flags.us_canonical_claim_id is 'Evidence: the US-side canonical claim of the strongest supporting pair.';
comment on column flags.other_canonical_claim_id is 'Evidence: the partner-side canonical claim of that pair (for us_self_inconsistency, the earlier US-side claim).';
comment on column flags.us_claim_id is 'Evidence: a mention (claims.claim_id) of the US-side claim, its earliest.';
comment on column flags.other_claim_id is 'Evidence: a mention of the other claim, its earliest.';
comment on column flags.evidence_pairs is 'How many pairs of canonical claims support the flag now.';
comment on column flags.explanation is 'The flag in one sentence.';
comment on column flags.is_open is 'True while the stored claims still support the flag.';
comment on column flags.first_seen_at is 'When the flag was first raised.';
comment on column flags.last_seen_at is 'When the claims last supported the flag.';
comment on column flags.closed_at is 'When the claims stopped supporting it (null while open).';

create table if not exists flag_evidence (
    flag_id varchar not null,
    us_canonical_claim_id varchar not null,
    other_canonical_claim_id varchar not null,
    first_seen_at timestamptz not null,
    last_seen_at timestamptz not null,
    is_current boolean not null,
    primary key (flag_id, us_canonical_claim_id, other_canonical_claim_id)
);

comment on table flag_evidence is 'One row per pair of canonical claims that ever supported a flag.';
comment on column flag_evidence.flag_id is 'The flag (flags.flag_id).';
comment on column flag_evidence.us_canonical_claim_id is 'The US-side canonical claim (canonical_claims view).';
comment on column flag_evidence.other_canonical_claim_id is 'The partner-side (or earlier US-side) canonical claim.';
comment on column flag_evidence.first_seen_at is 'When the pair first supported the flag.';
comment on column flag_evidence.last_seen_at is 'When the pair last supported it.';
comment on column flag_evidence.is_current is 'True while the pair still supports the flag.';

create table if not exists reviews (
    review_id varchar primary key,
    flag_id varchar not null,
    decision varchar not null,
    note varchar,
    reviewer varchar not null,
    reviewed_at timestamptz not null,
    us_canonical_claim_id varchar,
    other_canonical_claim_id varchar
);

comment on table reviews is 'One row per decision a fact-checker recorded on a flag; the latest decides the flag''s status, older ones are its history.';
comment on column reviews.review_id is 'Identity of the decision.';
comment on column reviews.flag_id is 'The flag reviewed (flags.flag_id); stable across re-crawls and re-extraction.';
comment on column reviews.decision is 'confirmed, dismissed or needs_info.';
comment on column reviews.note is 'The reviewer''s note.';
comment on column reviews.reviewer is 'Who decided.';
comment on column reviews.reviewed_at is 'When.';
comment on column reviews.us_canonical_claim_id is 'The US-side evidence the reviewer saw.';
comment on column reviews.other_canonical_claim_id is 'The other evidence the reviewer saw.';

create table if not exists warehouse_meta (
    key varchar primary key,
    value varchar
);

comment on table warehouse_meta is 'One row per setting the warehouse keeps about itself.';
comment on column warehouse_meta.key is 'Setting name (sql_digest: fingerprint of the schema, macros and views last applied).';
comment on column warehouse_meta.value is 'Setting value.';

create table if not exists canonical_claims (
    canonical_claim_id varchar not null,
    pledger varchar not null,
    recipient varchar not null,
    speaker varchar not null,
    speaker_side varchar not null,
    stance varchar not null,
    control varchar,
    amount double,
    amount_high double,
    currency varchar,
    timeframe varchar,
    timing varchar,
    conditions varchar[],
    is_conditional boolean,
    example_claim_id varchar,
    example_sentence varchar,
    example_url varchar,
    mentions integer,
    articles integer,
    outlets varchar[],
    first_published_at timestamptz,
    last_published_at timestamptz
);

comment on table canonical_claims is 'One row per distinct pledge statement (deal, speaker, side, stance, control, amount, timing, conditionality), counted once however many outlets report it; rebuilt from the claims by every flag recompute.';
comment on column canonical_claims.canonical_claim_id is 'Stable identity: hash of the fields that make the statement (claim_mentions.canonical_claim_id).';
comment on column canonical_claims.pledger is 'Who pledges.';
comment on column canonical_claims.recipient is 'Who receives.';
comment on column canonical_claims.speaker is 'Who says so, as in its earliest mention.';
comment on column canonical_claims.speaker_side is 'us, partner, third_party or author.';
comment on column canonical_claims.stance is 'asserted, hedged or disputed.';
comment on column canonical_claims.control is 'us, partner or null.';
comment on column canonical_claims.amount is 'Amount stated, in units of currency; null when none.';
comment on column canonical_claims.amount_high is 'Upper bound of a stated range.';
comment on column canonical_claims.currency is 'ISO 4217 code of amount.';
comment on column canonical_claims.timeframe is 'Timeframe phrase of the earliest mention.';
comment on column canonical_claims.timing is 'upfront, spread (over time) or null, from the timeframe.';
comment on column canonical_claims.conditions is 'Conditions of the earliest mention.';
comment on column canonical_claims.is_conditional is 'Whether the statement attaches conditions.';
comment on column canonical_claims.example_claim_id is 'Its earliest mention (claims.claim_id).';
comment on column canonical_claims.example_sentence is 'The sentence of that mention.';
comment on column canonical_claims.example_url is 'The article of that mention.';
comment on column canonical_claims.mentions is 'How many claim mentions make this statement.';
comment on column canonical_claims.articles is 'In how many articles.';
comment on column canonical_claims.outlets is 'Which outlets carried it.';
comment on column canonical_claims.first_published_at is 'Publication time of its earliest mention.';
comment on column canonical_claims.last_published_at is 'Publication time of its latest mention.';
