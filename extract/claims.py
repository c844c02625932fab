"""Pledge-claim extraction: from an article's text to `Claim` records.

Two passes over a document:

1. Article context. Sentences where a country is tied to a pledge verb or noun and to money or
   to the US as destination ("Japan agreed to invest $550bn in the U.S.") are *anchors*; they
   say which deals (pledger -> recipient) the article is about. An article without anchors (car
   sales, earnings, defence spending) gives no claims.
2. Claims. A sentence of a pledge article is a claim when it states a pledge amount, refers to
   the pledge ("the fund", "the investment", "loans and guarantees", "the deal has yet to be
   finalized"), or continues a quote that is one. One record per (sentence, pledger, amount).
   Each record gets its speaker (attribution.py), side (actors.py), stance, control, conditions
   and timeframe (cue patterns in patterns/*.json), and a `rule_id` naming every rule that fired.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

from extract.actors import CountryMention, load_actor_table, speaker_side
from extract.amounts import Money, find_money, is_excluded_context, is_stock_statistic
from extract.attribution import Attribution, attribute, quote_index, sentence_quotes
from extract.cues import Concept, Hit, doc_text, load_concepts
from extract.gate import WEAK_REFERENCES, Gate
from extract.model import Claim, make_claim_id
from extract.names import mark_names
from extract.nlp import fast_components, load_nlp
from extract.sentences import Sentence, split_sentences
from extract.timeframes import timeframe_until

log = logging.getLogger(__name__)

RECIPIENT_DEFAULT = "USA"
# "in the U.S.", "into the United States", "to America": the money goes to the US.
TO_US = re.compile(
    r"\b(?:in|into|to)\s+(?:the\s+)?(?:U\.S\.|US|United States|America|American (?:economy|projects|"
    r"companies|industry|energy|businesses))(?![\w-])",
)
# "invest $600bn in the United States", "committed $1.4tn to the U.S.", "a $10bn fund for the UK": the
# country after one of these is where the money goes, not who pledges it.
DESTINATION_BEFORE = re.compile(r"\b(?:in|into|to|for|towards?)\s+(?:the\s+)?$", re.IGNORECASE)
# ... unless the preposition belongs to a comparison or another phrase ("similar to the EU's").
NOT_DESTINATION = re.compile(
    r"\b(?:compared|similar|equivalent|relative|comparable|close|according|next|prior|due|thanks|"
    r"addition|contrast|exports?|imports?|tariffs?|trip|visit|visits|visited|flew|travel(?:l?ed)?|"
    r"return(?:ed|ing)?|ambassador|envoy|relations|ties|answer|response|respect|regard)\s+\S+\s+(?:the\s+)?$",
    re.IGNORECASE,
)
DESTINATION_WINDOW = 90
# What joins countries named together as one subject: "Tokyo, Brussels and Seoul", "Japan's and Korea's".
COORDINATION = re.compile(
    r"^(?:['’]s)?(?:\s*,\s*(?:and\s+|or\s+)?|\s+(?:and|or|as well as|plus)\s+)(?:the\s+)?$"
)
# Demonyms name companies or people ("into Taiwanese chipmakers"), not where the money goes.
DEMONYM = re.compile(r"(?:ese|ian|ean|can|ish|ch|i)$")
# "annual cap of $20 billion", "$20 billion a year": an instalment limit on a larger pledge.
CAP_BEFORE = re.compile(r"(?:cap(?:ped)?(?: of| at)?|no more than|limit of|ceiling of)\s*$", re.IGNORECASE)
CAP_AFTER = re.compile(r"^\s*(?:a|per|each|every)\s+year\b|^\s*annually\b", re.IGNORECASE)
DEFAULT_BATCH = 64
MAX_SENTENCE_CHARS = 2000
# "Japanese carmaker Toyota will invest $10bn": one company's own deal, not a national pledge.
SINGLE_COMPANY = re.compile(
    r"^\s+(?:carmaker|automaker|company|firm|conglomerate|chipmaker|manufacturer|shipbuilder|steelmaker|"
    r"giant|maker|lender|bank|insurer|retailer|startup|utility|operator)\b(?!s)"
)
# What ties a company's money to a national package, and what says it stands apart from one.
PACKAGE_LINK = re.compile(
    r"\b(?:part of|under (?:the|its|a|this|that)|as (?:its|their|a) (?:share|part|contribution)|pledges?|package|"
    r"fund|framework|commitments?|deal|agreement|accord|pact|list|plan)\b",
    re.IGNORECASE,
)
ANOTHER = re.compile(r"\b(?:another|a further|an additional|a second)\s+$", re.IGNORECASE)
SEPARATE_DEAL = re.compile(r"\b(?:separately|in a separate|unrelated to|independently of)\b", re.IGNORECASE)
# Investment words that name a pledge by themselves; others need a definite determiner or owner.
SPECIFIC_PLEDGE_NOUNS = {"pledge", "commitment", "fund", "framework", "package", "contribution"}
DEFINITE = {"the", "this", "that", "these", "those", "its", "their", "his", "her", "such", "our"}
PLEDGE_MODIFIERS = {"pledge", "promise", "propose", "plan", "japanese", "korean", "saudi", "european", "new"}


class _Hits:
    """Cue hits of one sentence per concept, matched on first use (most concepts matter only for the
    few sentences that turn out to be claims); an unparsed sentence has none."""

    def __init__(self, concepts: dict[str, Concept] | None = None, doc=None) -> None:
        self._concepts = concepts or {}
        self._doc = doc
        self._cache: dict[str, list[Hit]] = {}

    def get(self, concept: str, default=None) -> list[Hit]:
        if concept not in self._cache:
            found = self._concepts[concept].hits(self._doc) if concept in self._concepts else []
            self._cache[concept] = found
        return self._cache[concept] or (default if default is not None else [])


@dataclass
class _Sent:
    """Everything the claim builder knows about one sentence."""

    sentence: Sentence
    doc: object
    money: list[Money] = field(default_factory=list)  # pledge-candidate amounts
    caps: list[Money] = field(default_factory=list)  # instalment caps ("annual cap of $20 billion")
    statistic: bool = False  # states an existing stock of investment ("holdings of $780bn")
    countries: list[CountryMention] = field(default_factory=list)
    destinations: list[CountryMention] = field(default_factory=list)  # "in the U.S.", "to the EU"
    hits: _Hits = field(default_factory=_Hits)
    attribution: Attribution | None = None
    quotes: tuple[int, ...] = ()

    def labels(self, concept: str) -> set[str]:
        return {h.label for h in self.hits.get(concept, [])}

    def rules(self, concept: str, label: str | None = None) -> list[str]:
        return [h.rule_id for h in self.hits.get(concept, []) if label is None or h.label == label]


class Extractor:
    """Loads spaCy once and turns documents into pledge claims.

    >>> extractor = Extractor()  # doctest: +SKIP
    >>> extractor.extract("Japan pledges $550bn\\nJapan agreed to invest $550 billion in the U.S.", doc="a")  # doctest: +SKIP
    """

    def __init__(self, nlp=None, model_name: str | None = None, gated: bool = True) -> None:
        self.nlp = nlp if nlp is not None else load_nlp(model_name)
        self.concepts = load_concepts(self.nlp)
        self.actors = load_actor_table()
        self.gated = gated
        self.gate = Gate.from_patterns()
        self.components = fast_components(self.nlp)
        self.stats: Counter = Counter()  # sentences seen and parsed, for the benchmark and tests

    # -- public API -------------------------------------------------------------------------
    def extract(
        self,
        text: str,
        *,
        doc: str,
        article_url: str | None = None,
        published_at: str | None = None,
    ) -> list[Claim]:
        """Claims of one document (headline on line 1, then the body)."""
        return next(
            iter(
                self.extract_many(
                    [(text, {"doc": doc, "article_url": article_url, "published_at": published_at})]
                )
            )
        )

    def extract_many(self, items: Iterable, batch_size: int = DEFAULT_BATCH) -> Iterator[list[Claim]]:
        """Claims for many documents, parsing their sentences with `nlp.pipe` in batches.

        `items` yields `(text, {"doc": ..., "article_url": ..., "published_at": ...})` pairs or
        `crawlers.items.Article` objects; one list of claims is yielded per item, in order.
        """
        chunk: list[tuple[str, dict]] = []
        for item in items:
            chunk.append(_as_pair(item))
            if len(chunk) >= 16:
                yield from self._run_chunk(chunk, batch_size)
                chunk = []
        if chunk:
            yield from self._run_chunk(chunk, batch_size)

    # -- internals --------------------------------------------------------------------------
    def _run_chunk(self, chunk: list[tuple[str, dict]], batch_size: int) -> Iterator[list[Claim]]:
        prepared = []
        docs: list = []
        parse: list[int] = []
        for text, _meta in chunk:
            sentences = _safe_split(text)
            index = quote_index(text)
            quotes = sentence_quotes(text, sentences, index)
            chosen = self.gate.select(text, sentences, quotes) if self.gated else [True] * len(sentences)
            first = len(docs)
            for sentence, full in zip(sentences, chosen, strict=True):
                # No claim sentence runs to thousands of characters; such runs are tables, code or
                # junk, and parsing them would cost minutes, so they are never parsed.
                long = len(sentence.text) > MAX_SENTENCE_CHARS
                piece = "" if long else sentence.text
                doc = self.nlp.make_doc(piece)
                doc.user_data["pledgewatch_text"] = piece  # what `doc_text` would join again from the tokens
                docs.append(doc)
                if full and not long:
                    parse.append(len(docs) - 1)
            prepared.append((sentences, index, first))
        self.stats["sentences"] += len(docs)
        self.stats["parsed"] += len(parse)
        self.stats["words"] += sum(len(d) for d in docs)
        self.stats["parsed_words"] += sum(len(docs[i]) for i in parse)
        selected = [docs[i] for i in parse]
        # Tagged and lemmatised, every candidate; parsed, only those whose reading needs the parse.
        parser_wanted = [not self.gated or self.gate.needs_parser(doc_text(doc)) for doc in selected]
        self.stats["parser_skipped"] += parser_wanted.count(False)
        for name, proc in self.components:
            if name == "parser" and not all(parser_wanted):
                subset = iter(
                    proc.pipe(
                        [d for d, w in zip(selected, parser_wanted, strict=True) if w], batch_size=batch_size
                    )
                )
                selected = [next(subset) if w else d for d, w in zip(selected, parser_wanted, strict=True)]
            else:
                selected = list(proc.pipe(selected, batch_size=batch_size))
        for i, doc in zip(parse, selected, strict=True):
            docs[i] = mark_names(doc)
        parsed = set(parse)
        for (text, meta), (sentences, index, first) in zip(chunk, prepared, strict=True):
            span = range(first, first + len(sentences))
            try:
                yield self._document(
                    text, sentences, [docs[i] for i in span], [i in parsed for i in span], index, meta
                )
            except Exception:  # one bad document is logged and skipped, never the whole run
                log.exception("extraction failed for %s", meta.get("doc"))
                yield []

    def _document(
        self,
        text: str,
        sentences: list[Sentence],
        docs: list,
        parsed: list[bool],
        index: tuple,
        meta: dict,
    ) -> list[Claim]:
        if not sentences:
            return []
        published = _parse_date(meta.get("published_at"))
        attributions = attribute(text, sentences, docs, index)
        sents = [
            self._analyse(s, d, a, p)
            for s, d, a, p in zip(sentences, docs, attributions, parsed, strict=True)
        ]
        deals = self._deals(sents)
        if not deals:
            return []
        main = deals.most_common(1)[0][0]
        known_amounts = {round(m.value): m.currency for s in sents for m in s.money if m.currency}
        deal_amounts = self._deal_amounts(sents, deals)
        known_speakers = self._learn_speakers(sents)

        pending: list[tuple[_Sent, str, Money | None, str, str | None]] = []
        claim_quotes: set[int] = set()
        previous: tuple[str, str] | None = None  # (speaker, paragraph) of the last claim sentence
        for s in sents:
            records = self._records(s, main, deals, known_amounts, deal_amounts, claim_quotes, previous)
            if records:
                claim_quotes.update(s.quotes)
                if s.attribution:
                    previous = (s.attribution.speaker, str(s.sentence.paragraph))
            for pledger, money, claim_rule in records:
                pending.append((s, pledger, money, claim_rule, _recipient_in(s, pledger, money)))
        stated: dict[str, Counter] = {}
        for _s, pledger, _money, _rule, recipient in pending:
            if recipient:
                stated.setdefault(pledger, Counter())[recipient] += 1
        claims: list[Claim] = []
        for s, pledger, money, claim_rule, recipient in pending:
            recipient = recipient or _counterpart(stated.get(pledger))
            claims.append(
                self._claim(s, pledger, money, claim_rule, meta, published, known_speakers, recipient)
            )
        # "$250bn ... and another $250bn" in one sentence: two claims whose id parts agree; the later one
        # gets an id of its own, still stable across runs
        counts: Counter = Counter()
        for claim in claims:
            counts[claim.claim_id] += 1
            if counts[claim.claim_id] > 1:
                claim.claim_id = make_claim_id(f"{claim.claim_id}#{counts[claim.claim_id]}", claim.start, claim.end,
                                               claim.pledger, claim.amount)  # fmt: skip
        return claims

    def _analyse(self, sentence: Sentence, doc, attribution: Attribution, parsed: bool = True) -> _Sent:
        s = _Sent(
            sentence, doc, attribution=attribution, quotes=attribution.quotes if attribution.in_quote else ()
        )
        text = sentence.text
        if len(text) > MAX_SENTENCE_CHARS:
            return s
        for money in find_money(text):
            if is_excluded_context(text, money):
                s.statistic = s.statistic or is_stock_statistic(text, money)
                continue
            if CAP_BEFORE.search(text[max(0, money.start - 25) : money.start]) or CAP_AFTER.match(
                text[money.end :]
            ):
                s.caps.append(money)
            else:
                s.money.append(money)
        s.countries = [c for c in self.actors.countries_in(text)]
        s.destinations = [c for c in s.countries if _is_destination(text, c)]
        s.hits = _Hits(self.concepts if parsed else None, doc)
        return s

    def _deals(self, sents: list[_Sent]) -> Counter:
        """Which pledgers the article is about, scored by anchor sentences (headline counts double).

        An anchor ties a pledge cue either to money ("pledged $600bn") or, for investing verbs, to
        the US as destination ("agreed to invest in the U.S."). Its pledger is the country named
        nearest the money or cue; failing that (" it pledged $550bn"), the country the article
        talks about most.
        """
        scores: Counter = Counter()
        mentions = Counter(
            c.code
            for s in sents
            for c in s.countries
            if c.code != RECIPIENT_DEFAULT
            and c not in s.destinations
            and not SINGLE_COMPANY.match(s.sentence.text[c.end :])
        )
        fallback = mentions.most_common(1)[0][0] if mentions else None
        for s in sents:
            anchors = [h for h in s.hits.get("pledge", []) if h.label == "anchor"]
            if not anchors:
                continue
            money = [m for m in s.money if m.currency]
            invests = [h for h in anchors if h.rule_id == "pledge.verb-invest"]
            if money:
                pledgers = {self._pledger_near(s, m.start) for m in money} - {None}
            elif invests and TO_US.search(s.sentence.text):
                nearest = self._pledger_near(s, invests[0].start, window=120)
                pledgers = {c.code for c in _coordinated(s, nearest)} | {nearest} - {None}
            else:
                continue
            if not pledgers and fallback:
                pledgers = {fallback}
            for code in pledgers:
                scores[code] += 2 if s.sentence.paragraph == 0 else 1
        return scores

    def _deal_amounts(self, sents: list[_Sent], deals: Counter) -> dict[int, set[str]]:
        """Amounts stated in anchor sentences -> the pledgers they were tied to."""
        amounts: dict[int, set[str]] = {}
        for s in sents:
            if "anchor" in s.labels("pledge"):
                for m in s.money:
                    if m.currency:
                        pledger = self._pledger_near(s, m.start)
                        amounts.setdefault(round(m.value), set()).update({pledger} if pledger else set())
        return amounts

    def _pledger_near(self, s: _Sent, position: int, window: int = 70) -> str | None:
        """The non-US country named closest before `position` (or just after it), else None."""
        countries = [
            c
            for c in s.countries
            if c not in s.destinations and not SINGLE_COMPANY.match(s.sentence.text[c.end :])
        ]
        before = [c for c in countries if c.code != RECIPIENT_DEFAULT and c.end <= position + 1]
        before = [c for c in before if position - c.end <= window]
        if before:
            return before[-1].code
        after = [c for c in countries if c.code != RECIPIENT_DEFAULT and 0 <= c.start - position <= 40]
        return after[0].code if after else None

    def _learn_speakers(self, sents: list[_Sent]) -> dict[str, str]:
        """Names introduced with a title ("Japan's chief negotiator Akizuki Ryosei") -> that phrase."""
        known: dict[str, str] = {}
        for s in sents:
            a = s.attribution
            if a and a.name and a.speaker != a.name and a.name not in known:
                known[a.name] = a.speaker
                for part in a.name.split():
                    if len(part) > 3 and part[0].isupper():
                        known.setdefault(part, a.speaker)
        return known

    def _records(
        self,
        s: _Sent,
        main: str,
        deals: Counter,
        known_amounts: dict[int, str | None],
        deal_amounts: dict[int, set[str]],
        claim_quotes: set[int],
        previous: tuple[str, str] | None = None,
    ) -> list[tuple[str, Money | None, str]]:
        pledge_labels = s.labels("pledge")
        strong_refs = [
            h.rule_id
            for h in s.hits.get("pledge", [])
            if h.label == "reference" and h.rule_id not in WEAK_REFERENCES and self._specific(s, h, deals)
        ]
        records: list[tuple[str, Money | None, str]] = []
        seen: set[tuple[str, int, int | None]] = set()
        if self._company_deal(s):
            return records  # one company's own investment, outside any national pledge
        for money in s.money:
            currency = money.currency or known_amounts.get(round(money.value))
            if currency is None:
                continue  # a bare "100 trillion" matching nothing else in the article
            money = Money(
                money.value, currency, money.start, money.end, money.text, money.high, money.qualifier
            )
            owners = next((p for a, p in deal_amounts.items() if abs(money.value - a) <= 0.005 * a), None)
            if not (
                pledge_labels & {"anchor", "reference"} or owners is not None or set(s.quotes) & claim_quotes
            ):
                continue
            adjacent = self._adjacent(s, money.start)
            if adjacent:
                pledger = adjacent
            elif owners and (len(owners) == 1 or main in owners):
                # the amount this article already tied to a pledger (its main one when several)
                pledger = next(iter(owners)) if len(owners) == 1 else main
            else:
                pledger = self._pledger_near(s, money.start) or main
                if pledger not in deals:
                    pledger = main
            # the same figure twice is one pledge, unless the second is "another" or "a further" one
            extra = ANOTHER.search(s.sentence.text[max(0, money.start - 25) : money.start])
            key = (pledger, round(money.value), money.start if extra else None)
            if key in seen:
                continue
            seen.add(key)
            records.append((pledger, money, "claim.money"))
        if records or (s.statistic and not s.money):
            return records  # a sentence whose money is an existing stock is a statistic, not a claim
        weak_refs = [r for r in s.rules("pledge", "reference") if r in WEAK_REFERENCES]
        terms = {h.label for h in s.hits.get("conditions", [])} & {"split", "scope", "instrument"}
        control_cue = bool(s.hits.get("control"))
        same_voice = (
            previous is not None
            and s.attribution is not None
            and previous == (s.attribution.speaker, str(s.sentence.paragraph))
            and s.attribution.speaker != "author"
        )
        deal_status = [h for h in s.hits.get("pledge", []) if h.label == "deal-status"]
        if (
            strong_refs
            or any(h.rule_id not in WEAK_REFERENCES for h in deal_status)
            or control_cue
            or (weak_refs and (terms or same_voice))
        ):
            mentioned = [c.code for c in s.countries if c.code in deals]
            pledgers = list(dict.fromkeys(mentioned)) if mentioned and main not in mentioned else [main]
            if main in mentioned:  # "Tokyo, Brussels and Seoul all promised ...": one claim each
                together = [c.code for c in _coordinated(s, main)]
                anchored = "anchor" in pledge_labels
                together = [code for code in together if code in deals or anchored]
                if len(set(together)) > 1:
                    pledgers = list(dict.fromkeys(together))
            return [(p, None, "claim.reference") for p in pledgers]
        words = len(s.sentence.text.split())
        if s.attribution and s.attribution.in_quote and set(s.quotes) & claim_quotes and words >= 4:
            return [(main, None, "claim.quote-continued")]
        return []

    def _company_deal(self, s: _Sent) -> bool:
        """Whether a sentence states one company's own investment rather than a national pledge: the company
        speaks or opens the sentence, and nothing ties the money to the package ("as part of", "under the
        deal", "the fund", "Japan's pledge"), or the sentence says it is separate."""
        text = s.sentence.text
        speaker = s.attribution.speaker if s.attribution else ""
        actor = self.actors.find_actor(speaker) if speaker and speaker != "author" else None
        opener = self.actors.find_actor(" ".join(text.split()[:3]))
        if not any(a is not None and a.kind == "company" for a in (actor, opener)):
            return False
        if opener is not None and opener.kind == "company" and not text.startswith(opener.name.split()[0]):
            return False  # the company is named, but not as the subject
        return bool(SEPARATE_DEAL.search(text)) or not PACKAGE_LINK.search(text)

    def _specific(self, s: _Sent, hit: Hit, deals: Counter) -> bool:
        """Whether an investment word points at a pledge ("the investment", "Japan's investment",
        "this money", "invest in the U.S.") rather than generic talk ("foreign investments",
        "investment decisions")."""
        if hit.rule_id != "pledge.ref-investment":
            return True
        span = s.doc.char_span(hit.start, hit.end, alignment_mode="expand")
        if span is None:
            return True
        token = span[0]
        if token.lemma_.lower() in SPECIFIC_PLEDGE_NOUNS:
            return True
        if token.pos_ == "VERB":
            return bool(
                s.money or TO_US.search(s.sentence.text) or [c for c in s.countries if c.code in deals]
            )
        # "the investment program": the determiner hangs on the head of the compound
        owners = [token, token.head] if token.dep_ in ("compound", "amod") else [token]
        for child in (c for t in owners for c in t.children):
            if child.dep_ == "poss" or (child.dep_ in ("det", "predet", "amod") and child.lower_ in DEFINITE):
                return True
            if child.dep_ in ("amod", "compound") and child.lemma_.lower() in PLEDGE_MODIFIERS:
                return True
        # "investments into the U.S.", "investment in America"
        return bool(TO_US.search(s.sentence.text[hit.start : hit.end + 30]))

    def _adjacent(self, s: _Sent, position: int) -> str | None:
        """A country written right before an amount ("Korea $350 billion", "Europe's USD 700 billion")."""
        near = [
            c
            for c in s.countries
            if c.code != RECIPIENT_DEFAULT and c not in s.destinations and 0 <= position - c.end <= 25
        ]
        return near[-1].code if near else None

    def _claim(
        self,
        s: _Sent,
        pledger: str,
        money: Money | None,
        claim_rule: str,
        meta: dict,
        published: date | None,
        known_speakers: dict[str, str],
        recipient: str = RECIPIENT_DEFAULT,
    ) -> Claim:
        attribution = s.attribution or Attribution("author", "attribution.author")
        side = speaker_side(attribution.speaker, pledger, published, known_speakers)
        speaker = (
            self.actors.display_name(attribution.speaker, attribution.name, published, pledger)
            if side != "author"
            else "author"
        )
        stance, stance_rules = _stance(s, side)
        control, control_rules = self._control(s, pledger)
        conditions = _conditions(s, side)
        timeframe = _timeframe(s)
        until = timeframe_until(timeframe, published) if timeframe else None
        rules = [claim_rule, attribution.rule_id, *stance_rules, *control_rules]
        confidence = {"claim.money": 0.9, "claim.reference": 0.7, "claim.quote-continued": 0.6}[claim_rule]
        return Claim(
            doc=meta["doc"],
            sentence=s.sentence.text,
            pledger=pledger,
            recipient=recipient,
            amount=money.value if money else None,
            currency=money.currency if money else None,
            speaker=speaker,
            speaker_side=side,
            stance=stance,
            control=control,
            conditions=conditions,
            timeframe=timeframe,
            amount_high=money.high if money else None,
            timeframe_until=until.isoformat() if until else None,
            article_url=meta.get("article_url"),
            start=s.sentence.start,
            end=s.sentence.end,
            rule_id="+".join(dict.fromkeys(rules)),
            confidence=confidence,
        )

    def _control(self, s: _Sent, pledger: str) -> tuple[str | None, list[str]]:
        hits = s.hits.get("control", [])
        for side in ("us", "partner"):
            chosen = [h.rule_id for h in hits if h.label == side]
            if chosen:
                return side, chosen
        for hit in (h for h in hits if h.label == "select"):
            owner = self._chooser(s, hit, pledger)
            if owner:
                return owner, [hit.rule_id]
        return None, []

    def _chooser(self, s: _Sent, hit: Hit, pledger: str) -> str | None:
        """Who does the choosing in a `select` cue: 'by X' after it, else the side named before it."""
        text = s.sentence.text
        around = text[hit.start : hit.end + 40]
        if re.search(
            r"\bby\s+(?:him|trump|the (?:u\.s\.|us|united states|president|administration)|washington)\b",
            around,
            re.IGNORECASE,
        ):
            return "us"
        before = text[: hit.start]
        us_at = max(
            (
                m.end()
                for m in re.finditer(
                    r"\b(?:U\.S\.|US|United States|Washington|Trump|administration|America)\b", before
                )
            ),
            default=-1,
        )
        partner_at = max((c.end for c in s.countries if c.code == pledger and c.end <= hit.start), default=-1)
        if us_at < 0 and partner_at < 0:
            return None
        return "us" if us_at > partner_at else "partner"


def _coordinated(s: _Sent, code: str | None) -> list[CountryMention]:
    """The countries named together with the first pledger mention of `code` ("Tokyo, Brussels and
    Seoul"), that mention included; [] when `code` is not named as a pledger in the sentence."""
    text = s.sentence.text
    pool = [c for c in s.countries if c.code != RECIPIENT_DEFAULT and c not in s.destinations]
    at = next((i for i, c in enumerate(pool) if c.code == code), None)
    if at is None:
        return []
    first = last = at
    while first > 0 and COORDINATION.match(text[pool[first - 1].end : pool[first].start]):
        first -= 1
    while last + 1 < len(pool) and COORDINATION.match(text[pool[last].end : pool[last + 1].start]):
        last += 1
    return pool[first : last + 1]


def _is_destination(text: str, country: CountryMention) -> bool:
    """Whether a country mention is where money goes: "in the United States", "to the EU", not
    "similar to the EU's" or "exports to Japan"."""
    if DEMONYM.search(country.form):
        return False
    before = text[max(0, country.start - 40) : country.start]
    if not DESTINATION_BEFORE.search(before) or NOT_DESTINATION.search(before):
        return False
    return text[country.end : country.end + 2] not in ("'s", "’s")


def _recipient_in(s: _Sent, pledger: str, money: Money | None) -> str | None:
    """The destination this sentence gives the pledge: the first other country after the amount
    ("$600bn in the United States"), else anywhere in the sentence for a claim without one."""
    others = [c for c in s.destinations if c.code != pledger]
    if not others:
        return None
    if money is None:  # only a destination of the pledge words: "the investment in the UK"
        cues = [h for h in s.hits.get("pledge", []) if h.label in ("anchor", "reference")]
        near = [c for c in others if any(0 <= c.start - h.end <= 40 for h in cues)]
        return near[0].code if near else None
    after = [c for c in others if 0 <= c.start - money.end <= DESTINATION_WINDOW]
    if after:
        return after[0].code
    before = [c for c in others if 0 <= money.start - c.end <= 30]  # "invest in the U.S. $550bn"
    return before[-1].code if before else None


def _counterpart(stated: Counter | None) -> str:
    """The recipient an article gives a pledger most often; the US when none is stated (or on a tie)."""
    if not stated:
        return RECIPIENT_DEFAULT
    best = max(stated.values())
    return RECIPIENT_DEFAULT if stated.get(RECIPIENT_DEFAULT) == best else stated.most_common(1)[0][0]


def _stance(s: _Sent, side: str) -> tuple[str, list[str]]:
    # A US official citing the pledge asserts it; hedges around it are the article's, not theirs.
    labels = ("disputed",) if side == "us" else ("disputed", "hedged")
    for label in labels:
        rules = [h.rule_id for h in s.hits.get("stance", []) if h.label == label and not _muted(s, h)]
        if rules:
            return label, rules
    return "asserted", []


CONCESSIVE = re.compile(r"\b(?:although|though|despite|notwithstanding|even as)\b", re.IGNORECASE)
WH_BEFORE = re.compile(r"\b(?:what|which|how|where|whether)\b(?:\W+\w+){0,4}\W*$", re.IGNORECASE)


def _muted(s: _Sent, hit: Hit) -> bool:
    """A hedge that does not qualify the pledge: inside a concessive clause ("although no details
    were given") or a modal inside an embedded question ("what projects could be funded")."""
    if hit.label != "hedged":
        return False
    before = s.sentence.text[: hit.start]
    if CONCESSIVE.search(before):
        return True
    return hit.rule_id == "stance.modal" and bool(WH_BEFORE.search(before))


def _conditions(s: _Sent, side: str) -> list[str]:
    phrases: list[str] = []
    spans: list[tuple[int, int]] = []
    text = s.sentence.text
    for hit in sorted(s.hits.get("conditions", []), key=lambda h: (h.start, -(h.end - h.start))):
        if hit.rule_id == "conditions.if" and (
            side == "author" or text[max(0, hit.start - 5) : hit.start].lower().endswith("even ")
        ):
            continue
        if any(a <= hit.start and hit.end <= b for a, b in spans):
            continue
        spans.append((hit.start, hit.end))
        phrases.append(hit.text)
    return list(dict.fromkeys(phrases))


def _timeframe(s: _Sent) -> str | None:
    hits = s.hits.get("timeframe", [])
    if hits:
        best = max(hits, key=lambda h: h.end - h.start)
        return best.text
    if s.caps:
        return s.caps[0].text
    return None


def _safe_split(text: str) -> list[Sentence]:
    if not isinstance(text, str) or not text.strip():
        return []
    return split_sentences(text)


def _parse_date(raw: str | None) -> date | None:
    """The publication date from ISO 8601 text ("2025-07-27", "2025-07-27T09:30:00+09:00"), else None."""
    if not raw:
        return None
    match = re.match(r"\d{4}-\d{2}-\d{2}", str(raw).strip())
    if not match:
        return None
    try:
        return datetime.strptime(match.group(0), "%Y-%m-%d").date()
    except ValueError:
        return None


def _as_pair(item) -> tuple[str, dict]:
    if isinstance(item, tuple):
        text, meta = item
        return text or "", dict(meta)
    return item.text, {
        "doc": item.canonical_url,
        "article_url": item.canonical_url,
        "published_at": item.published_at,
    }


def extract_claims(article, extractor: Extractor) -> list[Claim]:
    """Claims of one `crawlers.items.Article` (doc and article_url = its canonical URL)."""
    return extractor.extract(
        article.text,
        doc=article.canonical_url,
        article_url=article.canonical_url,
        published_at=article.published_at,
    )
