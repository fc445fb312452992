package scoring

import (
	"cmp"
	"hash/fnv"
	"math"
	"slices"
	"strings"
	"time"
	"unicode"
)

// Quote selection for digests. Deterministic and without
// machine learning: the rating given with a comment is its sentiment, the
// wording only decides which comments say something specific and which say
// the same thing twice. The steps, in order:
//
//  1. redact personal data ([Redact]) and drop comments that are mostly that;
//  2. keep eligible comments: long enough, mostly letters, no "!!!!" or
//     "sooo", no blocked word, not a near-duplicate of a recent quote;
//  3. score each: s = 0.35·I + 0.30·E + 0.20·R + 0.15·L (informativeness,
//     extremity of the rating, recency, length), each in [0, 1];
//  4. split the k quotes across detractors, passives and promoters by their
//     share, at least one per non-empty bucket, detractors rounded up;
//  5. pick greedily by maximal marginal relevance, so that the quotes of a
//     digest do not repeat each other; within a theme the medoid goes first;
//  6. cut long quotes at a sentence or grapheme boundary ([Excerpt]).
//
// Every tie is broken by a hash of (workspace, date, response ID), then the
// response ID, so that the order of the input never matters and golden tests
// are stable while different days still rotate among equal comments.

// Weights and limits of quote selection.
const (
	// QuoteMaxChars is the longest quote shown, in characters (grapheme
	// clusters) including the "…" of an excerpt.
	QuoteMaxChars = 280

	quoteMinChars     = 20   // eligibility, and where L reaches 0
	quoteMinTokens    = 3    // eligibility, except for he, fa, ar
	quoteFullLenMin   = 60   // L = 1 from here …
	quoteFullLenMax   = 280  // … to here
	quoteZeroLen      = 1000 // L reaches 0 again
	quoteMinLetters   = 0.5  // share of letters among visible characters
	quoteMaxRepeat    = 3    // this many equal characters in a row disqualify (not digits, spaces, dots)
	quoteDupJaccard   = 0.8  // near-duplicate: Jaccard of char 5-gram sets
	quoteLambda       = 0.7  // MMR: relevance against novelty
	quoteRecencyHours = 24.0 // R = exp(−age/24 h)

	weightInformative = 0.35
	weightExtreme     = 0.30
	weightRecent      = 0.20
	weightLength      = 0.15
)

// Comment is one free-text answer offered to [SelectQuotes].
type Comment struct {
	// ResponseID identifies the response in the workspace; it breaks ties
	// and is how the caller attributes the quote (touchpoint, segment,
	// date).
	ResponseID string
	// Text is the comment as the customer typed it.
	Text string
	// Scale and Score are the rating given with the comment: its bucket
	// and its extremity. A comment whose score is not valid on its scale
	// is never quoted.
	Scale ScaleID
	Score int
	// At is when the comment arrived; quotes from the last day weigh more.
	At time.Time
	// Lang is the comment's language ("he", "fa", …) if already known;
	// "" detects it from the script ([DetectLanguage]).
	Lang string
	// Theme optionally groups comments about one subject ("delivery",
	// "refund"). Within a theme the most central comment is preferred, and
	// an excerpt starts at the sentence that mentions the theme.
	Theme string
}

// QuoteOptions are the digest's context for [SelectQuotes].
type QuoteOptions struct {
	// Workspace and Now seed the tie-break (with the local date of Now),
	// and Now is the reference for recency. Pass Now in the workspace's
	// time zone.
	Workspace string
	Now       time.Time
	// Language is the workspace language: it decides the language of a
	// comment whose script does not (no letters, Arabic script without
	// Persian or Arabic evidence).
	Language string
	// Recent are the quotes shown in the workspace over the last 7 days, as
	// displayed; near-duplicates of them are not shown again. The caller
	// keeps this memory.
	Recent []string
	// Blocklist optionally lists words or phrases (profanity) that
	// disqualify a comment; they match whole words after [Normalize].
	Blocklist []string
	// DocFreq is the trailing 90-day corpus for the IDF of informativeness.
	// When nil, or when it holds no comments in a comment's language, the
	// day's pool serves as the corpus.
	DocFreq *DocFreq
}

// Quote is a comment chosen for a digest.
type Quote struct {
	ResponseID string
	// Text is what to display: redacted, and an excerpt when the comment is
	// longer than [QuoteMaxChars]. Renderers still isolate it:
	// it may open with a word of the other direction.
	Text string
	// Excerpt reports that Text is a cut of the comment ("…" marks where).
	Excerpt bool
	Bucket  Bucket
	Lang    string
	Theme   string
	Score   QuoteScore
}

// QuoteScore is the relevance s of a quote and its parts, each in [0, 1]:
// s = 0.35·Informative + 0.30·Extreme + 0.20·Recent + 0.15·Length.
type QuoteScore struct {
	Total float64
	// Informative is the mean TF-IDF weight of the comment's character
	// 3–5-grams, min–max normalised among the day's eligible comments in
	// the same language (0.5 when they are all alike): rare wording scores
	// high, "good service" low.
	Informative float64
	// Extreme is how far the rating is from the scale's neutral point: NPS
	// |x − 7.5|/7.5, CSAT and legacy CES |x − 3|/2, CES 2.0 |x − 4|/3.
	Extreme float64
	// Recent is exp(−age in hours/24).
	Recent float64
	// Length is 1 for 60–280 characters, falling linearly to 0 at 20 and
	// at 1,000.
	Length float64
}

// DocFreq counts, per language, in how many comments each character n-gram
// occurs: the corpus behind the IDF of [QuoteScore.Informative]. Build it
// from the workspace's comments of the trailing 90 days (already redacted).
// It is not safe for concurrent Add; SelectQuotes only reads it.
type DocFreq struct {
	langs map[string]*docFreqTable
}

type docFreqTable struct {
	docs int
	df   map[uint64]int32
}

// idf is the smoothed inverse document frequency ln((1+N)/(1+df)) + 1 of a
// gram found in df of the table's N comments: never 0, so no vector is all
// zeros. memo, of length N+1, caches it by df.
func (t *docFreqTable) idf(memo []float64, df int32) float64 {
	if df < 0 || int(df) >= len(memo) { // cannot happen; computed, not cached
		return math.Log(float64(1+t.docs)/float64(1+df)) + 1
	}
	if memo[df] == 0 {
		memo[df] = math.Log(float64(1+t.docs)/float64(1+df)) + 1
	}
	return memo[df]
}

// NewDocFreq returns an empty corpus.
func NewDocFreq() *DocFreq { return &DocFreq{langs: map[string]*docFreqTable{}} }

// Add counts one comment in language lang ("" detects it, as [Comment.Lang]).
func (d *DocFreq) Add(lang, text string) {
	if lang == "" {
		lang, _ = DetectLanguage(text, "")
	}
	lang = baseLanguage(lang)
	t := d.langs[lang]
	if t == nil {
		t = &docFreqTable{df: map[uint64]int32{}}
		d.langs[lang] = t
	}
	t.docs++
	var g gramScratch
	tf := g.termFreqs(Normalize(text))
	for _, x := range tf {
		t.df[x.h]++
	}
}

// Docs returns how many comments in language lang were added.
func (d *DocFreq) Docs(lang string) int {
	if d == nil {
		return 0
	}
	if t := d.langs[baseLanguage(lang)]; t != nil {
		return t.docs
	}
	return 0
}

// candidate is a comment that passed redaction and eligibility.
type candidate struct {
	c       *Comment
	text    string // redacted display text
	lang    string
	bucket  Bucket
	chars   int // grapheme clusters of text
	tie     uint64
	grams   []gramCount // term frequencies of char 3–5-grams, by hash
	vec     []float64   // unit TF-IDF weights, parallel to grams
	shingle []uint64    // sorted distinct 5-gram hashes
	infoRaw float64
	score   QuoteScore
	medoid  bool // the most central of its (bucket, theme), or unthemed
	maxSim  float64
	gone    bool // picked or a near-duplicate of a pick
}

// SelectQuotes picks up to k quotes from the day's comments, detractors
// first, then passives, then promoters; within a bucket in the order they
// were picked. It is deterministic: the same comments in any order and the
// same options give the same quotes. Fewer than k come back when fewer are
// eligible.
func SelectQuotes(comments []Comment, k int, opts QuoteOptions) []Quote {
	if k <= 0 || len(comments) == 0 {
		return nil
	}
	fallback := opts.Language
	if fallback == "" {
		fallback = LangEnglish
	}
	day := opts.Now.Format(time.DateOnly)
	recent := make([][]uint64, 0, len(opts.Recent))
	var g gramScratch
	for _, r := range opts.Recent {
		recent = append(recent, g.shingles(Normalize(r)))
	}
	blocked := make([]string, 0, len(opts.Blocklist))
	for _, w := range opts.Blocklist {
		if w = gramText(Normalize(w)); w != " " {
			blocked = append(blocked, w)
		}
	}

	cands := make([]*candidate, 0, len(comments))
	for i := range comments {
		c := &comments[i]
		b, err := c.Scale.Bucket(c.Score)
		if err != nil {
			continue
		}
		red := redact(c.Text, c.Lang, fallback)
		if red.MostlyPII() {
			continue
		}
		text := strings.TrimSpace(red.Text)
		norm := Normalize(text)
		chars, ok := quoteEligible(text, norm, red.Lang)
		if !ok {
			continue
		}
		if len(blocked) > 0 && containsBlocked(gramText(norm), blocked) {
			continue
		}
		cd := &candidate{c: c, text: text, lang: red.Lang, bucket: b, chars: chars}
		cd.grams = g.termFreqs(norm)
		cd.shingle = g.shingles(norm)
		if slices.ContainsFunc(recent, func(r []uint64) bool { return jaccard(cd.shingle, r) >= quoteDupJaccard }) {
			continue
		}
		cd.tie = tieHash(opts.Workspace, day, c.ResponseID)
		cands = append(cands, cd)
	}
	// From here on the input order is gone: everything iterates in tie
	// order.
	slices.SortFunc(cands, compareTie)

	weighCandidates(cands, opts.DocFreq)
	for _, cd := range cands {
		cd.score.Extreme = extremity(cd.c.Scale, cd.c.Score)
		cd.score.Recent = recency(opts.Now.Sub(cd.c.At))
		cd.score.Length = lengthScore(cd.chars)
		cd.score.Total = weightInformative*cd.score.Informative + weightExtreme*cd.score.Extreme +
			weightRecent*cd.score.Recent + weightLength*cd.score.Length
	}
	markMedoids(cands)

	var byBucket [3][]*candidate
	var counts [3]int
	for _, cd := range cands {
		byBucket[cd.bucket-Detractor] = append(byBucket[cd.bucket-Detractor], cd)
		counts[cd.bucket-Detractor]++
	}
	quota := quotaSplit(k, counts)
	var picked []*candidate
	for i, pool := range byBucket {
		picked = pickMMR(pool, quota[i], picked)
	}
	if len(picked) < k { // near-duplicates left a bucket short: fill from any
		picked = pickMMR(cands, k-len(picked), picked)
		slices.SortStableFunc(picked, func(a, b *candidate) int { return cmp.Compare(a.bucket, b.bucket) })
	}

	quotes := make([]Quote, 0, len(picked))
	for _, cd := range picked {
		text, cut := excerpt(cd.text, cd.c.Theme, QuoteMaxChars, cd.chars)
		quotes = append(quotes, Quote{
			ResponseID: cd.c.ResponseID,
			Text:       text,
			Excerpt:    cut,
			Bucket:     cd.bucket,
			Lang:       cd.lang,
			Theme:      cd.c.Theme,
			Score:      cd.score,
		})
	}
	return quotes
}

// quoteEligible applies the length, token, letter-share and repetition rules
// to a redacted comment and its normalized form, and returns its length in
// characters.
func quoteEligible(text, norm, lang string) (chars int, ok bool) {
	chars = graphemeCount(text)
	if chars < quoteMinChars {
		return chars, false
	}
	switch lang {
	case LangHebrew, LangArabic, LangPersian:
		// Clitics (ו־, ال, ب) make words fewer: characters alone decide.
	default:
		if countTokens(text) < quoteMinTokens {
			return chars, false
		}
	}
	letters, visible := 0, 0
	for _, r := range text {
		switch {
		case unicode.IsSpace(r), unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf):
		case unicode.IsLetter(r):
			letters++
			visible++
		default:
			visible++
		}
	}
	if float64(letters) < quoteMinLetters*float64(visible) {
		return chars, false
	}
	return chars, !hasRepeat(norm, quoteMaxRepeat)
}

// countTokens counts the space-separated words that contain a letter or digit.
func countTokens(s string) int {
	n := 0
	for _, f := range strings.Fields(s) {
		if strings.IndexFunc(f, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) >= 0 {
			n++
		}
	}
	return n
}

// hasRepeat reports a run of n equal characters other than digits, spaces
// and dots ("!!!", "sooo", "ааа"; "1000", indentation and "..." are fine:
// three dots are how "…" is typed, not shouting).
func hasRepeat(s string, n int) bool {
	var prev rune = -1
	run := 0
	for _, r := range s {
		if r == prev {
			run++
		} else {
			prev, run = r, 1
		}
		if run >= n && r != '.' && !unicode.IsDigit(r) && !unicode.IsSpace(r) {
			return true
		}
	}
	return false
}

// containsBlocked reports whether the gram text gt (see [gramText]) contains
// one of the blocked words or phrases as whole words.
func containsBlocked(gt string, blocked []string) bool {
	for _, w := range blocked {
		if strings.Contains(gt, w) {
			return true
		}
	}
	return false
}

// extremity is E of the quote score: distance of the rating from the scale's
// neutral point, 1 at either end.
func extremity(s ScaleID, score int) float64 {
	lo, hi, ok := s.Range()
	if !ok {
		return 0
	}
	mid := 7.5 // NPS: the passive band's centre, so 0 scores 1 and 10 only 1/3
	if s != NPS && s != ENPS {
		mid = float64(lo+hi) / 2
	}
	half := mid - float64(lo)
	return math.Min(1, math.Abs(float64(score)-mid)/half)
}

// recency is R = exp(−age_hours/24); a comment from the future (clock skew)
// counts as new.
func recency(age time.Duration) float64 {
	return math.Exp(-max(age.Hours(), 0) / quoteRecencyHours)
}

// lengthScore is L: 1 for 60–280 characters, linear to 0 at 20 and 1,000.
func lengthScore(chars int) float64 {
	n := float64(chars)
	switch {
	case chars <= quoteMinChars || chars >= quoteZeroLen:
		return 0
	case chars < quoteFullLenMin:
		return (n - quoteMinChars) / (quoteFullLenMin - quoteMinChars)
	case chars <= quoteFullLenMax:
		return 1
	}
	return (quoteZeroLen - n) / (quoteZeroLen - quoteFullLenMax)
}

// tieHash is the first tie-break: FNV-1a of workspace, date and response ID,
// NUL-separated so that ("ab", "c") and ("a", "bc") differ.
func tieHash(workspace, day, responseID string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(workspace))
	h.Write([]byte{0})
	h.Write([]byte(day))
	h.Write([]byte{0})
	h.Write([]byte(responseID))
	return h.Sum64()
}

// compareTie orders candidates by tie hash, then response ID, then text (a
// duplicated ID must not make the result depend on the input order).
func compareTie(a, b *candidate) int {
	return cmp.Or(cmp.Compare(a.tie, b.tie), strings.Compare(a.c.ResponseID, b.c.ResponseID),
		strings.Compare(a.text, b.text), cmp.Compare(a.c.Score, b.c.Score))
}

// weighCandidates computes the TF-IDF vectors and the informativeness I. IDF
// comes from the 90-day corpus of the comment's language when there is one,
// else from the pool's comments in that language.
func weighCandidates(cands []*candidate, corpus *DocFreq) {
	pool := map[string]*docFreqTable{}
	for _, cd := range cands {
		if corpus.Docs(cd.lang) > 0 {
			continue
		}
		t := pool[cd.lang]
		if t == nil {
			t = &docFreqTable{df: map[uint64]int32{}}
			pool[cd.lang] = t
		}
		t.docs++
		for _, x := range cd.grams {
			t.df[x.h]++
		}
	}
	// IDF depends only on a gram's document frequency: one logarithm per
	// distinct frequency, not per gram.
	idfs := map[*docFreqTable][]float64{}
	type bounds struct{ lo, hi float64 }
	ranges := map[string]bounds{}
	for _, cd := range cands {
		t := pool[cd.lang]
		if t == nil {
			t = corpus.langs[cd.lang]
		}
		idf := idfs[t]
		if idf == nil {
			idf = make([]float64, t.docs+1)
			idfs[t] = idf
		}
		cd.vec = make([]float64, len(cd.grams))
		sum, sq := 0.0, 0.0
		for i, x := range cd.grams {
			w := t.idf(idf, t.df[x.h])
			if x.n > 1 {
				w *= 1 + math.Log(float64(x.n))
			}
			cd.vec[i] = w
			sum += w
			sq += w * w
		}
		if len(cd.grams) > 0 {
			cd.infoRaw = sum / float64(len(cd.grams))
			norm := math.Sqrt(sq)
			for i := range cd.vec {
				cd.vec[i] /= norm
			}
		}
		r, ok := ranges[cd.lang]
		if !ok {
			r = bounds{cd.infoRaw, cd.infoRaw}
		}
		ranges[cd.lang] = bounds{math.Min(r.lo, cd.infoRaw), math.Max(r.hi, cd.infoRaw)}
	}
	// IDFs of different languages come from corpora of different sizes, so
	// each language is normalised on its own; one comment, or all alike,
	// is no evidence either way.
	for _, cd := range cands {
		r := ranges[cd.lang]
		cd.score.Informative = 0.5
		if r.hi > r.lo {
			cd.score.Informative = (cd.infoRaw - r.lo) / (r.hi - r.lo)
		}
	}
}

// markMedoids marks, in each (bucket, theme), the comment with the highest
// summed cosine similarity to the others, and every unthemed comment. For
// unit vectors Σ_j cos(c, q_j) = c · Σ_j q_j, so one centroid per group
// replaces the quadratic pairwise sums.
func markMedoids(cands []*candidate) {
	type key struct {
		b     Bucket
		theme string
	}
	groups := map[key][]*candidate{}
	var keys []key
	for _, cd := range cands {
		if cd.c.Theme == "" {
			cd.medoid = true
			continue
		}
		k := key{cd.bucket, cd.c.Theme}
		if _, ok := groups[k]; !ok {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], cd)
	}
	for _, k := range keys {
		members := groups[k]
		centroid := map[uint64]float64{}
		for _, cd := range members {
			for i, x := range cd.grams {
				centroid[x.h] += cd.vec[i]
			}
		}
		var best *candidate
		bestSum := math.Inf(-1)
		for _, cd := range members { // in tie order: the first maximum wins
			s := 0.0
			for i, x := range cd.grams {
				s += cd.vec[i] * centroid[x.h]
			}
			if s > bestSum {
				best, bestSum = cd, s
			}
		}
		best.medoid = true
	}
}

// pickMMR appends up to n picks from pool to picked by maximal marginal
// relevance, λ·s(c) − (1−λ)·max cos(c, q) over the quotes q picked so far
// (in any bucket). Medoids and unthemed comments go first; the rest of a
// theme only when they run out. A candidate that is a near-duplicate of a
// pick is dropped.
func pickMMR(pool []*candidate, n int, picked []*candidate) []*candidate {
	for _, cd := range pool {
		if cd.gone {
			continue
		}
		cd.maxSim = 0
		for _, q := range picked {
			cd.maxSim = math.Max(cd.maxSim, cosine(cd, q))
			if jaccard(cd.shingle, q.shingle) >= quoteDupJaccard {
				cd.gone = true
			}
		}
	}
	for range n {
		var best *candidate
		bestVal := math.Inf(-1)
		for _, medoidsOnly := range []bool{true, false} {
			for _, cd := range pool {
				if cd.gone || (medoidsOnly && !cd.medoid) {
					continue
				}
				v := quoteLambda*cd.score.Total - (1-quoteLambda)*cd.maxSim
				if v > bestVal {
					best, bestVal = cd, v
				}
			}
			if best != nil {
				break
			}
		}
		if best == nil {
			break
		}
		best.gone = true
		picked = append(picked, best)
		for _, cd := range pool {
			if cd.gone {
				continue
			}
			if jaccard(cd.shingle, best.shingle) >= quoteDupJaccard {
				cd.gone = true
				continue
			}
			cd.maxSim = math.Max(cd.maxSim, cosine(cd, best))
		}
	}
	return picked
}

// cosine is the cosine similarity of two candidates' unit TF-IDF vectors,
// both sorted by gram hash.
func cosine(a, b *candidate) float64 {
	s := 0.0
	for i, j := 0, 0; i < len(a.grams) && j < len(b.grams); {
		switch {
		case a.grams[i].h < b.grams[j].h:
			i++
		case a.grams[i].h > b.grams[j].h:
			j++
		default:
			s += a.vec[i] * b.vec[j]
			i++
			j++
		}
	}
	return s
}

// jaccard is |a ∩ b| / |a ∪ b| of two sorted sets; 0 when both are empty.
func jaccard(a, b []uint64) float64 {
	if len(a) == 0 && len(b) == 0 {
		return 0
	}
	inter := 0
	for i, j := 0, 0; i < len(a) && j < len(b); {
		switch {
		case a[i] < b[j]:
			i++
		case a[i] > b[j]:
			j++
		default:
			inter++
			i++
			j++
		}
	}
	return float64(inter) / float64(len(a)+len(b)-inter)
}

// quotaSplit divides k quotes across the buckets (detractor, passive,
// promoter) with n eligible comments each, by share: detractors rounded up,
// the others down, at least one for every non-empty bucket, never more than
// a bucket has. Left-over quotes go to the largest remainder (ties:
// detractors, promoters, passives). Excess comes back from the passive or
// promoter quota most above its share (ties: promoters), then from the
// detractors' rounding, never taking a non-empty bucket below one unless k
// is smaller than the number of non-empty buckets: then detractors keep
// theirs and the smallest other bucket goes without (ties: passives).
func quotaSplit(k int, n [3]int) [3]int {
	var q [3]int
	total := n[0] + n[1] + n[2]
	if k <= 0 || total == 0 {
		return q
	}
	if k >= total {
		return n
	}
	var raw [3]float64
	for i := range n {
		raw[i] = float64(k) * float64(n[i]) / float64(total)
		q[i] = int(math.Floor(raw[i]))
	}
	q[0] = int(math.Ceil(raw[0]))
	sum := 0
	for i := range q {
		if n[i] > 0 && q[i] == 0 {
			q[i] = 1
		}
		q[i] = min(q[i], n[i])
		sum += q[i]
	}
	const d, pa, p = 0, 1, 2
	for sum < k {
		best := -1
		for _, i := range [...]int{d, p, pa} {
			if q[i] < n[i] && (best < 0 || raw[i]-float64(q[i]) > raw[best]-float64(q[best])) {
				best = i
			}
		}
		q[best]++ // k < total, so some bucket has room
		sum++
	}
	for sum > k {
		best := -1
		for _, i := range [...]int{p, pa} {
			if q[i] > 1 && (best < 0 || float64(q[i])-raw[i] > float64(q[best])-raw[best]) {
				best = i
			}
		}
		if best < 0 && q[d] > 1 {
			best = d
		}
		if best < 0 { // every quota is 1 and k is smaller than the buckets
			for _, i := range [...]int{pa, p} {
				if q[i] == 1 && (best < 0 || n[i] < n[best]) {
					best = i
				}
			}
		}
		q[best]-- // sum > k ≥ 1, so some quota is above 1 or a non-detractor has 1
		sum--
	}
	return q
}
