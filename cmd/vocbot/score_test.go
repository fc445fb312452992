package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// runScore runs "vocbot score <args>" and returns stdout and the error.
func runScore(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	err := scoreCommand(context.Background(), &environment{getenv: func(string) string { return "" }, stdout: &stdout, stderr: &stderr}, args)
	if stderr.Len() > 0 {
		t.Errorf("score %v wrote to stderr: %q", args, stderr.String())
	}
	return stdout.String(), err
}

// decodeOne decodes stdout, which must hold exactly one JSON object.
func decodeOne(t *testing.T, out string) map[string]any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(out))
	var got map[string]any
	if err := dec.Decode(&got); err != nil {
		t.Fatalf("decode %q: %v", out, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		t.Fatalf("stdout holds more than one JSON value: %q", out)
	}
	return got
}

func TestScoreJSON(t *testing.T) {
	t.Parallel()
	nps20 := map[string]any{
		// The documented first example. CI from TV-B: [−15.40, 50.18].
		"metric": "nps", "n": 20.0, "promoters": 9.0, "passives": 6.0, "detractors": 5.0,
		"score": 20.0, "display": "20", "ci95": []any{-15.40, 50.18}, "method": "adjusted-wald",
	}
	tests := []struct {
		name string
		args []string
		want map[string]any
		// prefix pins the documented key order.
		prefix string
	}{
		{
			name:   "nps",
			args:   []string{"nps", "--promoters", "9", "--passives", "6", "--detractors", "5", "--json"},
			want:   nps20,
			prefix: `{"metric":"nps","n":20,"promoters":9,"passives":6,"detractors":5,"score":20,"display":"20","ci95":[`,
		},
		{
			// TV-J from answers: 5/2/3, NPS 20; adjusted Wald: n′ = 13,
			// p′P = 5.75/13 = .442308, p′D = 3.75/13 = .288462, N′ = 2/13 =
			// .153846, V′ = .730769 − .023669 = .707101, SE′ = √(.707101/13) =
			// .233221; 15.3846 ± 45.7105 → [−30.33, 61.10].
			name: "nps from scores",
			args: []string{"nps", "--scores", "10,9,9,8,7,6,0,10,3,9", "--json"},
			want: map[string]any{"metric": "nps", "n": 10.0, "promoters": 5.0, "passives": 2.0, "detractors": 3.0,
				"score": 20.0, "display": "20", "ci95": []any{-30.33, 61.10}, "method": "adjusted-wald"},
		},
		{
			// TV-K: n = 0 is "score": null, "display": "—", exit 0.
			name: "nps no answers",
			args: []string{"nps", "--promoters", "0", "--json"},
			want: map[string]any{"metric": "nps", "n": 0.0, "promoters": 0.0, "passives": 0.0, "detractors": 0.0,
				"score": nil, "display": "—", "ci95": nil, "method": "adjusted-wald"},
		},
		{
			// TV-L: −0.4 displays as "0", the JSON score stays unrounded.
			// Adjusted: n′ = 253, N′ = −1/253, V′ = 6.5/253 − 1/253² = .025676,
			// SE′ = .010074; −.395 ± 1.974 → [−2.37, 1.58].
			name: "nps minus zero",
			args: []string{"nps", "--promoters", "2", "--passives", "245", "--detractors", "3", "--json"},
			want: map[string]any{"metric": "nps", "n": 250.0, "promoters": 2.0, "passives": 245.0, "detractors": 3.0,
				"score": -0.4, "display": "0", "ci95": []any{-2.37, 1.58}, "method": "adjusted-wald"},
		},
		{
			// The documented CSAT example: five 5s, Wilson
			// [56.55, 100]; the mean's t interval is [5, 5] (no spread).
			name: "csat",
			args: []string{"csat", "--counts", "0,0,0,0,5", "--json"},
			want: map[string]any{"metric": "csat", "n": 5.0, "score": 100.0, "mean": 5.0, "ci95": []any{56.55, 100.0},
				"method": "wilson", "display": "100", "counts": []any{0.0, 0.0, 0.0, 0.0, 5.0},
				"mean_ci95": []any{5.0, 5.0}, "mean_method": "t"},
			prefix: `{"metric":"csat","n":5,"score":100,"mean":5,"ci95":[`,
		},
		{
			name: "csat no answers",
			args: []string{"csat", "--counts", "0,0,0,0,0", "--json"},
			want: map[string]any{"metric": "csat", "n": 0.0, "score": nil, "mean": nil, "ci95": nil,
				"method": "wilson", "display": "—", "counts": []any{0.0, 0.0, 0.0, 0.0, 0.0},
				"mean_ci95": nil, "mean_method": "t"},
		},
		{
			// The documented CES example; intervals as
			// derived in scoring's TestLikertTables. Disagree Wilson 6/50:
			// p̂ = .12, centre = (.12 + .038415)/1.076829 = .147113, half =
			// 1.820121·√(.002112 + .000384) = .090936 → [5.62, 23.80].
			name: "ces",
			args: []string{"ces", "--counts", "2,1,3,5,9,15,15", "--json"},
			want: map[string]any{"metric": "ces", "scale": "ces2", "n": 50.0, "mean": 5.46, "agree": 78.0,
				"disagree": 12.0, "net": 66.0, "counts": []any{2.0, 1.0, 3.0, 5.0, 9.0, 15.0, 15.0},
				"mean_ci95": []any{5.01, 5.91}, "agree_ci95": []any{64.76, 87.25}, "disagree_ci95": []any{5.62, 23.80},
				"mean_method": "t", "share_method": "wilson"},
			prefix: `{"metric":"ces","scale":"ces2","n":50,"mean":5.46,"agree":78,"disagree":12,"net":66,`,
		},
		{
			// The CES 1.0 reference row: mean 2.54, 60 % low effort.
			name: "ces1",
			args: []string{"ces", "--scale", "ces1", "--counts", "10,20,8,7,5", "--json"},
			want: map[string]any{"metric": "ces", "scale": "ces1", "n": 50.0, "mean": 2.54, "low_effort": 60.0,
				"counts": []any{10.0, 20.0, 8.0, 7.0, 5.0}, "mean_ci95": []any{2.19, 2.89},
				"low_effort_ci95": []any{46.18, 72.39}, "mean_method": "t", "share_method": "wilson"},
		},
		{
			// The documented comparison: delta 19.42, se 11.21, z 1.73,
			// p 0.083, ci95 [−2.55, 41.39] (derived in scoring's
			// TestCompareNPS). A: N′ = 30/103, SE′ = √(.609341/103) = .076915,
			// 29.13 ± 15.08 → [14.05, 44.20]; B: N′ = 10/103, SE′ =
			// √(.684749/103) = .081535, 9.71 ± 15.98 → [−6.27, 25.69].
			name: "compare",
			args: []string{"compare", "--a", "50,30,20", "--b", "40,30,30", "--json"},
			want: map[string]any{
				"metric": "nps-compare",
				"a": map[string]any{"metric": "nps", "n": 100.0, "promoters": 50.0, "passives": 30.0, "detractors": 20.0,
					"score": 30.0, "display": "30", "ci95": []any{14.05, 44.20}, "method": "adjusted-wald"},
				"b": map[string]any{"metric": "nps", "n": 100.0, "promoters": 40.0, "passives": 30.0, "detractors": 30.0,
					"score": 10.0, "display": "10", "ci95": []any{-6.27, 25.69}, "method": "adjusted-wald"},
				"delta": 19.42, "se": 11.21, "z": 1.73, "p": 0.083, "ci95": []any{-2.55, 41.39},
				"significant": false, "method": "adjusted-wald",
			},
			prefix: `{"metric":"nps-compare","a":{"metric":"nps","n":100,`,
		},
		{
			name: "compare with an empty group",
			args: []string{"compare", "--a", "0,0,0", "--b", "9,6,5", "--json"},
			want: map[string]any{
				"metric": "nps-compare",
				"a": map[string]any{"metric": "nps", "n": 0.0, "promoters": 0.0, "passives": 0.0, "detractors": 0.0,
					"score": nil, "display": "—", "ci95": nil, "method": "adjusted-wald"},
				"b":     nps20,
				"delta": nil, "se": nil, "z": nil, "p": nil, "ci95": nil, "significant": false, "method": "adjusted-wald",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out, err := runScore(t, tt.args...)
			if err != nil {
				t.Fatalf("score %v: %v", tt.args, err)
			}
			got := decodeOne(t, out)
			// The expected values carry the precision of the published
			// examples: two decimals (three for p).
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateApprox(0, 0.0051)); diff != "" {
				t.Errorf("score %v mismatch (-want +got):\n%s", tt.args, diff)
			}
			if !strings.HasPrefix(out, tt.prefix) {
				t.Errorf("score %v = %s\nwant it to start with %s", tt.args, out, tt.prefix)
			}
		})
	}
}

func TestScoreText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args []string
		want string
	}{
		{
			[]string{"nps", "--promoters", "9", "--passives", "6", "--detractors", "5"},
			"NPS 20 (95% CI −15 to 50, n = 20, adjusted Wald)\n" +
				"promoters 9 (45%), passives 6 (30%), detractors 5 (25%)\n" +
				"low n (under 30): digests add a low-n badge and no trend arrow\n",
		},
		{
			// TV-M: 12.5 shows as 13. n′ = 11, N′ = 1/11 = .090909,
			// V′ = 2.5/11 − (1/11)² = .219008, SE′ = √(.219008/11) = .141102;
			// .090909 ± .276555 → [−18.6, 36.7] → −19 to 37.
			[]string{"nps", "--promoters", "1", "--passives", "7"},
			"NPS 13 (95% CI −19 to 37, n = 8, adjusted Wald)\n" +
				"promoters 1 (13%), passives 7 (88%), detractors 0 (0%)\n" +
				"low n (under 30): digests add a low-n badge and no trend arrow\n",
		},
		{
			// One promoter, one detractor: n′ = 5, p′P = p′D = .35, N′ = 0,
			// V′ = .7, SE′ = √.14 = .374166; ±.733348 → −73 to 73.
			[]string{"nps", "--scores", "3,10"},
			"NPS 0 (95% CI −73 to 73, n = 2, adjusted Wald)\n" +
				"promoters 1 (50%), passives 0 (0%), detractors 1 (50%)\n" +
				"fewer than 5 answers: digests show counts only, no score\n",
		},
		{[]string{"nps", "--scores", ""}, "NPS — (no responses)\n"},
		{
			[]string{"csat", "--counts", "0,0,0,0,5"},
			"CSAT 100% (95% CI 57 to 100, n = 5, Wilson): answered 4 or 5\n" +
				"mean satisfaction 5.0 (95% CI 5.0 to 5.0, n = 5, t)\n" +
				"answers 1–5: 0, 0, 0, 0, 5\n" +
				"low n (under 30): digests add a low-n badge and no trend arrow\n",
		},
		{
			[]string{"csat", "--scores", "4"},
			"CSAT 100% (95% CI 21 to 100, n = 1, Wilson): answered 4 or 5\n" +
				"mean satisfaction 4.0 (n = 1, too few answers for an interval)\n" +
				"answers 1–5: 0, 0, 0, 1, 0\n" +
				"fewer than 5 answers: digests show counts only, no score\n",
		},
		{
			[]string{"ces", "--counts", "2,1,3,5,9,15,15"},
			"CES 2.0 mean 5.5 (95% CI 5.0 to 5.9, n = 50, t)\n" +
				"agree (5–7) 78% (95% CI 65 to 87), disagree (1–3) 12% (95% CI 6 to 24), net 66\n" +
				"answers 1–7: 2, 1, 3, 5, 9, 15, 15\n",
		},
		{
			[]string{"ces", "--scale", "ces1", "--counts", "10,20,8,7,5"},
			"legacy CES effort (1–5, lower is better): mean 2.5 (95% CI 2.2 to 2.9, n = 50, t)\n" +
				"low effort (1–2) 60% (95% CI 46 to 72)\n" +
				"answers 1–5: 10, 20, 8, 7, 5\n",
		},
		{
			[]string{"compare", "--a", "50,30,20", "--b", "40,30,30"},
			"A: NPS 30 (95% CI 14 to 44, n = 100, adjusted Wald)\n" +
				"   promoters 50 (50%), passives 30 (30%), detractors 20 (20%)\n" +
				"B: NPS 10 (95% CI −6 to 26, n = 100, adjusted Wald)\n" +
				"   promoters 40 (40%), passives 30 (30%), detractors 30 (30%)\n" +
				"change A − B: +19 points on adjusted values (95% CI −3 to 41), z = 1.73, p = 0.083\n" +
				"not significant at the 5% level: the difference could be chance\n",
		},
		{
			// n = 1,000 each, 45 against 10: z = 9.93.
			[]string{"compare", "--a", "600,250,150", "--b", "400,300,300"},
			"A: NPS 45 (95% CI 40 to 49, n = 1000, adjusted Wald)\n" +
				"   promoters 600 (60%), passives 250 (25%), detractors 150 (15%)\n" +
				"B: NPS 10 (95% CI 5 to 15, n = 1000, adjusted Wald)\n" +
				"   promoters 400 (40%), passives 300 (30%), detractors 300 (30%)\n" +
				"change A − B: +35 points on adjusted values (95% CI 28 to 42), z = 9.93, p < 0.001\n" +
				"significant at the 5% level\n",
		},
		{
			// One promoter: n′ = 4, N′ = .25, V′ = .625 − .0625 = .5625,
			// SE′ = .375; .25 ± .734987 → −48 to 98. With a single answer the
			// raw 100 lies outside the adjusted interval (from n = 2 the clamp
			// at 100 covers it); digests show no score below 5 answers.
			[]string{"compare", "--a", "0,0,0", "--b", "1,0,0"},
			"A: NPS — (no responses)\n" +
				"B: NPS 100 (95% CI −48 to 98, n = 1, adjusted Wald)\n" +
				"   promoters 1 (100%), passives 0 (0%), detractors 0 (0%)\n" +
				"change A − B: — (a group has no responses)\n",
		},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			t.Parallel()
			got, err := runScore(t, tt.args...)
			if err != nil {
				t.Fatalf("score %v: %v", tt.args, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("score %v mismatch (-want +got):\n%s", tt.args, diff)
			}
			if strings.Contains(got, "-0") {
				t.Errorf("score %v printed -0:\n%s", tt.args, got)
			}
		})
	}
}

func TestScoreUsageErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args []string
		want string // part of the message that says what to fix
	}{
		{nil, "score needs a subcommand: nps, csat, ces or compare"},
		{[]string{"pns"}, `unknown score subcommand "pns"`},
		{[]string{"nps"}, "give the counts (--promoters P --passives Q --detractors D) or the answers (--scores"},
		{[]string{"nps", "--promoters", "-3"}, "a whole number, 0 or more"},
		{[]string{"nps", "--promoters", "2.5"}, "a whole number, 0 or more"},
		{[]string{"nps", "--detractors", "many"}, "a whole number, 0 or more"},
		{[]string{"nps", "--scores", "10,9", "--promoters", "3"}, "either --scores or --promoters/--passives/--detractors, not both"},
		{[]string{"nps", "--scores", "10,11"}, "position 2: NPS answer 11 is out of range: want a whole number from 0 to 10"},
		{[]string{"nps", "--scores", "-1"}, "NPS answer -1 is out of range"},
		{[]string{"nps", "--scores", "9,7.5"}, `item 2 ("7.5") is not a whole number`},
		{[]string{"nps", "--scores", "9,,7"}, "item 2 is empty"},
		{[]string{"nps", "--scores", "nine"}, `item 1 ("nine") is not a number`},
		{[]string{"nps", "10", "9"}, `unexpected argument "10"; give answers as --scores`},
		{[]string{"nps", "--bogus"}, "flag provided but not defined: -bogus; run 'vocbot score nps --help'"},
		{[]string{"csat"}, "give --counts with 5 numbers"},
		{[]string{"csat", "--counts", "1,2,3,4"}, "--counts needs 5 numbers, one per answer 1 to 5 (CSAT); got 4"},
		{[]string{"csat", "--counts", "1,2,-3,4,5"}, "count for answer 3 is -3: counts cannot be negative"},
		{[]string{"csat", "--counts", "1,2,3,4,5", "--scores", "5"}, "either --counts or --scores, not both"},
		{[]string{"csat", "--scores", "0,5"}, "CSAT answer 0 is out of range: want a whole number from 1 to 5"},
		{[]string{"ces", "--counts", "1,2,3,4,5"}, "needs 7 numbers, one per answer 1 to 7 (CES 2.0); got 5; for the legacy 1–5 effort scale add --scale ces1"},
		{[]string{"ces", "--scale", "ces1", "--counts", "1,2,3,4,5,6,7"}, "needs 5 numbers, one per answer 1 to 5"},
		{[]string{"ces", "--scale", "csat", "--counts", "1,2,3,4,5"}, `--scale "csat": use ces2`},
		{[]string{"ces", "--scores", "8"}, "CES 2.0 answer 8 is out of range"},
		{[]string{"compare", "--b", "1,2,3"}, "--a is required"},
		{[]string{"compare", "--a", "1,2,3"}, "--b is required"},
		{[]string{"compare", "--a", "1,2", "--b", "1,2,3"}, "--a needs 3 numbers, promoters,passives,detractors; got 2"},
		{[]string{"compare", "--a", "1,2,3", "--b", "1,-2,3"}, "counts cannot be negative"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			t.Parallel()
			out, err := runScore(t, tt.args...)
			var u *usageError
			if !errors.As(err, &u) {
				t.Fatalf("score %v error = %v, want a usage error", tt.args, err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("score %v error = %q\nwant it to contain %q", tt.args, err, tt.want)
			}
			if out != "" {
				t.Errorf("score %v printed %q on a usage error", tt.args, out)
			}
		})
	}
}

func TestScoreHelp(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"--help"}, {"help"}, {"-h"},
		{"nps", "--help"}, {"csat", "--help"}, {"ces", "-h"}, {"compare", "--help"},
	} {
		out, err := runScore(t, args...)
		if !errors.Is(err, errHelp) {
			t.Errorf("score %v error = %v, want errHelp", args, err)
		}
		if !strings.HasPrefix(out, "Usage: vocbot score") {
			t.Errorf("score %v printed %q, want usage", args, out)
		}
	}
	out, _ := runScore(t, "nps", "--help")
	for _, flag := range []string{"-promoters P", "-passives Q", "-detractors D", "-scores LIST", "-json"} {
		if !strings.Contains(out, flag) {
			t.Errorf("score nps --help does not list %q:\n%s", flag, out)
		}
	}
}

// FuzzScoreNPSScores feeds arbitrary --scores text: the command either
// rejects it as bad usage or prints one JSON object whose n counts the
// answers; it never panics or fails otherwise.
func FuzzScoreNPSScores(f *testing.F) {
	for _, seed := range []string{"10,9,9,8,7,6,0,10,3,9", "", "1,,2", "11", "-1", "7.5", " 3 , 4 ", "٩", "9999999999999999999999"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var stdout bytes.Buffer
		err := scoreCommand(context.Background(), &environment{stdout: &stdout, stderr: io.Discard}, []string{"nps", "--scores", s, "--json"})
		if err != nil {
			var u *usageError
			if !errors.As(err, &u) {
				t.Fatalf("--scores %q: error %v is not a usage error", s, err)
			}
			return
		}
		var got struct{ N, Promoters, Passives, Detractors int }
		if err := json.Unmarshal(stdout.Bytes(), &got); err != nil {
			t.Fatalf("--scores %q: output %q: %v", s, stdout.String(), err)
		}
		if got.N != got.Promoters+got.Passives+got.Detractors {
			t.Fatalf("--scores %q: n = %d, buckets %+v", s, got.N, got)
		}
	})
}
