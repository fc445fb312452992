// Package scoring is the arithmetic behind every number and quote vocbot
// shows: pure functions over counts and strings, with no I/O, no clock and no
// context, importing nothing else from vocbot. Storage aggregates answers in
// SQL (GROUP BY score) and hands the counts here; renderers format what comes
// back. Keeping it pure keeps it testable by table, and keeps one answer to
// "what is our NPS?" across the digest, the chat commands, the HTTP API and
// the vocbot score calculator.
//
// # Statistics
//
// Answers live on a [ScaleID]: NPS and eNPS 0–10, CSAT 1–5, CES 2.0 1–7
// agreement, legacy CES 1–5 effort. [ScaleID.Bucket] is the one place that
// turns an answer into a [Bucket] (detractor, passive, promoter; for CSAT and
// CES the detractor bucket is the "low" answer that alerts fire on).
//
// [NPSCounts] and [Likert] hold counts, never scores: aggregation sums counts
// with their Add methods, because an average of segment scores weights a
// segment of 3 like a segment of 3,000. No answers is no score: every
// estimator returns ok=false at n = 0, and renderers show "—", never 0.
//
// Intervals come with their method ([Interval], [Method]): adjusted Wald for
// NPS (Rocks 2016, the method MeasuringU validated on real data), Wilson for
// shares such as CSAT's top-2-box, Student t for means. [CompareNPS] and
// [CompareProportions] test a change between two periods or segments;
// [BenjaminiHochberg] keeps a digest with many cells from crying wolf.
//
// Reporting rules are data, so every renderer applies them the same way:
// trailing [Window]s of whole local days (28-day headline against the previous
// 28 days, 90-day segments), minimum-n [Level]s from [Thresholds] (including
// eNPS anonymity), [Trend] arrows that need significance, a visible change and
// enough answers, [NPSCounts.Smoothed] scores for ranking small segments, and
// display rounding that is half away from zero and never prints "-0"
// ([NPSCounts.Rounded], [RoundPercent], [Round]).
//
// # Text
//
// The other half turns free-text comments into quotes a digest can show.
// [SelectQuotes] is the whole quote pipeline: it redacts, filters
// (length, letters, "!!!!", blocked words, near-duplicates of the last 7
// days' quotes), scores each comment by informativeness, extremity of its
// rating, recency and length ([QuoteScore]), splits the quotes across
// detractors, passives and promoters, keeps them diverse by maximal marginal
// relevance and cuts long ones with [Excerpt]. Ties fall to a hash of
// (workspace, date, response ID), so the same day gives the same quotes in
// any input order. [DocFreq] holds the 90-day corpus behind the IDF.
//
// The pieces are usable on their own: [Redact] removes e-mails, links,
// Luhn-valid cards, Israeli and Iranian IDs (by check digit) and Israeli,
// Iranian, Russian and international phone numbers, in any digit set, with
// typed, localized placeholders ([Placeholder]), and keeps order numbers,
// prices and dates; [Normalize] is the matching form of a text (digits,
// Persian and Arabic letter variants, diacritics, case, Russian ё);
// [DetectLanguage] tells he, fa, ar, ru and en apart by script and letter
// evidence; [ParseAnswer] reads a score typed in chat ("9", "۹", "٩") and
// checks it against the scale; [IsRTL], [Isolate], [IsolateLTR],
// [IsolateRTL] and [AnchorRTL] give renderers the bidi controls of §10.
//
// The tests reproduce published test vectors for these rules, each with the hand arithmetic behind it.
package scoring
