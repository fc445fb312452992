package scoring

import (
	"errors"
	"fmt"
)

// ScaleID names the answer scale of a question. It is stored with every
// answer, because the same digit means different things on different scales:
// a 5 is a top answer in CSAT, an "agree" in CES 2.0 and the worst effort in
// legacy CES. Answers from different scales are never pooled.
//
// The values are the identifiers used in configuration, storage and the
// --json output of vocbot score ("scale":"ces2").
type ScaleID string

// The answer scales vocbot asks on.
const (
	// NPS is likelihood to recommend, 0–10: promoters 9–10, passives 7–8,
	// detractors 0–6.
	NPS ScaleID = "nps"
	// ENPS is the employee NPS ("recommend us as a place to work"): the same
	// scale, buckets and statistics as NPS, with an anonymity threshold.
	ENPS ScaleID = "enps"
	// CSAT is satisfaction, 1–5: 4–5 satisfied (top-2-box, the promoter
	// bucket), 3 neutral, 1–2 low (the detractor bucket).
	CSAT ScaleID = "csat"
	// CES2 is CES 2.0, agreement with "[X] made it easy for me to handle my
	// issue", 1–7, higher is better: 5–7 agree, 4 undecided, 1–3 disagree.
	CES2 ScaleID = "ces2"
	// CES1 is the legacy CES effort question, 1–5, lower is better: 1–2 low
	// effort (the promoter bucket), 3 neutral, 4–5 high effort (detractor).
	CES1 ScaleID = "ces1"
)

// scaleInfo describes one scale. Buckets are given as the highest detractor
// answer and the lowest promoter answer on the "better" side; for a scale
// where lower is better the two ends swap roles.
type scaleInfo struct {
	name           string
	lo, hi         int
	detractorMax   int // higher-is-better: answers ≤ this are detractors
	promoterMin    int // higher-is-better: answers ≥ this are promoters
	higherIsBetter bool
}

func (s ScaleID) info() (scaleInfo, bool) {
	switch s {
	case NPS:
		return scaleInfo{name: "NPS", lo: 0, hi: 10, detractorMax: 6, promoterMin: 9, higherIsBetter: true}, true
	case ENPS:
		return scaleInfo{name: "eNPS", lo: 0, hi: 10, detractorMax: 6, promoterMin: 9, higherIsBetter: true}, true
	case CSAT:
		return scaleInfo{name: "CSAT", lo: 1, hi: 5, detractorMax: 2, promoterMin: 4, higherIsBetter: true}, true
	case CES2:
		return scaleInfo{name: "CES 2.0", lo: 1, hi: 7, detractorMax: 3, promoterMin: 5, higherIsBetter: true}, true
	case CES1:
		// Lower is better: 1–2 (low effort) are the good answers, 4–5 the bad.
		return scaleInfo{name: "CES (legacy 1–5 effort)", lo: 1, hi: 5, detractorMax: 2, promoterMin: 4, higherIsBetter: false}, true
	}
	return scaleInfo{}, false
}

// ParseScale returns the scale with the given identifier ("nps", "enps",
// "csat", "ces2", "ces1").
func ParseScale(s string) (ScaleID, error) {
	id := ScaleID(s)
	if _, ok := id.info(); !ok {
		return "", fmt.Errorf("unknown answer scale %q: use nps, enps, csat, ces2 or ces1", s)
	}
	return id, nil
}

// Name is the scale's name for people ("CES 2.0"); the ScaleID itself is the
// identifier for machines.
func (s ScaleID) Name() string {
	if in, ok := s.info(); ok {
		return in.name
	}
	return string(s)
}

// Range returns the lowest and highest valid answer; ok is false for an
// unknown scale.
func (s ScaleID) Range() (lo, hi int, ok bool) {
	in, ok := s.info()
	return in.lo, in.hi, ok
}

// Points is the number of answer options: 11 for NPS, 5 for CSAT, 7 for CES
// 2.0. A [Likert] on this scale has exactly this many counts. It is 0 for an
// unknown scale.
func (s ScaleID) Points() int {
	in, ok := s.info()
	if !ok {
		return 0
	}
	return in.hi - in.lo + 1
}

// HigherIsBetter reports whether a higher answer is the happier one. It is
// false only for legacy CES, whose mean improves as it falls; a renderer uses
// it to colour a rising line red.
func (s ScaleID) HigherIsBetter() bool {
	in, ok := s.info()
	return ok && in.higherIsBetter
}

// Check returns an error unless score is a valid answer on the scale. Callers
// check at ingestion, so that a skipped question is never stored as a 0.
func (s ScaleID) Check(score int) error {
	in, ok := s.info()
	if !ok {
		return fmt.Errorf("unknown answer scale %q", string(s))
	}
	if score < in.lo || score > in.hi {
		return fmt.Errorf("%s answer %d is out of range: want a whole number from %d to %d", in.name, score, in.lo, in.hi)
	}
	return nil
}

// Bucket classifies one answer. This is the only place in vocbot that maps
// answers to buckets: NPS and eNPS 0–6 detractor, 7–8 passive, 9–10
// promoter; CSAT 1–2, CES 2.0 1–3 and legacy CES 4–5 are detractors (the
// "low" answers alerts fire on); CSAT 4–5, CES 2.0 5–7 and legacy CES 1–2 are
// promoters; what lies between is passive.
func (s ScaleID) Bucket(score int) (Bucket, error) {
	if err := s.Check(score); err != nil {
		return 0, err
	}
	in, _ := s.info()
	var b Bucket
	switch {
	case score <= in.detractorMax:
		b = Detractor
	case score >= in.promoterMin:
		b = Promoter
	default:
		b = Passive
	}
	if !in.higherIsBetter {
		b = Promoter + Detractor - b // mirror: low answers are the good ones
	}
	return b, nil
}

// Bucket is the three-way reading of one answer that alerts, quotes, digests
// and the NPS formula share. The names are NPS's because NPS is the product's
// main metric; see [ScaleID.Bucket] for what they mean on the other scales.
// The zero value is not a bucket, so an unset field is never mistaken for
// "passive".
type Bucket int8

// The buckets, from unhappy to happy.
const (
	Detractor Bucket = iota + 1
	Passive
	Promoter
)

var bucketNames = [...]string{Detractor: "detractor", Passive: "passive", Promoter: "promoter"}

// String returns "detractor", "passive" or "promoter", the words used in
// configuration (alerts: on: detractor) and JSON.
func (b Bucket) String() string {
	if b >= Detractor && b <= Promoter {
		return bucketNames[b]
	}
	return fmt.Sprintf("Bucket(%d)", int8(b))
}

// ParseBucket is the inverse of [Bucket.String].
func ParseBucket(s string) (Bucket, error) {
	for b := Detractor; b <= Promoter; b++ {
		if bucketNames[b] == s {
			return b, nil
		}
	}
	return 0, fmt.Errorf("unknown bucket %q: use detractor, passive or promoter", s)
}

// ErrMixedScales is returned when answers from different scales would be
// combined. Pooling legacy CES (lower is better) with CES 2.0 (higher is
// better) inverts the meaning of half the data, so it is an error, not a
// conversion.
var ErrMixedScales = errors.New("answers from different scales cannot be combined")
