package config

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// A survey's own wording: its title, follow-up question per score band,
// thank-you text and reason buttons. Each is given per locale; a locale
// left out keeps vocbot's built-in wording.

// Bands are the score bands a follow-up question may be worded for, as
// Delighted words one per group: NPS 0–6, 7–8, 9–10; CSAT 1–2, 3, 4–5; CES
// 1–3, 4, 5–7.
var bands = []string{"detractor", "passive", "promoter"}

// MaxReasons is the most reason buttons a survey may offer: with the skip
// button they fit one Slack actions block, Discord's five rows of five and
// a readable Telegram keyboard.
const MaxReasons = 8

// reasonIDPattern keeps reason ids short enough for every platform's
// button data (Telegram's 64-byte callback data holds an 8-byte value).
var reasonIDPattern = regexp.MustCompile(`^[a-z0-9_]{1,8}$`)

// nodeError is a problem inside a value that knows its own place (a key
// of a mapping), so the message gives that line, not the value's first.
type nodeError struct {
	node *yaml.Node
	path string // below the value's path, e.g. "detractor.xx"
	msg  string
}

func (e *nodeError) Error() string { return e.msg }

// followUpQuestion is follow_up_question: locale → text for every band, or
// band → (locale → text). Band "" holds the first form.
type followUpQuestion map[string]wordings

func (q *followUpQuestion) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("expected %s, got %s", q.shape(), describe(n))
	}
	out := followUpQuestion{}
	byBand := false
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], resolve(n.Content[i+1])
		isBand := slices.Contains(bands, k.Value)
		if !isBand && checkLocale(k.Value) != nil {
			return &nodeError{node: k, path: keyName(k.Value), msg: fmt.Sprintf("%q is neither a score band (%s) nor a supported locale (%s)", k.Value, strings.Join(bands, ", "), strings.Join(locales, ", "))}
		}
		switch {
		case i == 0:
			byBand = isBand
		case isBand != byBand:
			return &nodeError{node: k, path: k.Value, msg: "mixes score bands and locales; give either locales (the question for every band) or detractor, passive and promoter each with its locales"}
		}
		if _, dup := out[k.Value]; dup || (!byBand && out[""] != nil && out[""][locale(k.Value)] != "") {
			return &nodeError{node: k, path: k.Value, msg: "repeated key; keep one"}
		}
		if !byBand {
			if out[""] == nil {
				out[""] = wordings{}
			}
			w, err := readWording(v, k.Value)
			if err != nil {
				return err
			}
			out[""][locale(k.Value)] = w
			continue
		}
		ws, err := readWordings(v, k.Value)
		if err != nil {
			return err
		}
		out[k.Value] = ws
	}
	*q = out
	return nil
}

func (followUpQuestion) shape() string {
	return `a mapping of locale to text, or of detractor, passive and promoter to such mappings, e.g. {detractor: {en: "What should we fix first?"}}`
}

// MarshalYAML writes the form it was read in.
func (q followUpQuestion) MarshalYAML() (any, error) {
	if len(q) == 1 && q[""] != nil {
		return q[""], nil
	}
	out := map[string]wordings{}
	for b, w := range q {
		if b != "" {
			out[b] = w
		}
	}
	return out, nil
}

// readWording reads one text of a mapping of locale to text.
func readWording(v *yaml.Node, path string) (wording, error) {
	var w wording
	if err := w.UnmarshalYAML(v); err != nil {
		return "", &nodeError{node: v, path: path, msg: err.Error()}
	}
	return w, nil
}

// readWordings reads a mapping of locale to text.
func readWordings(n *yaml.Node, path string) (wordings, error) {
	if n.Kind != yaml.MappingNode {
		return nil, &nodeError{node: n, path: path, msg: fmt.Sprintf("expected %s, got %s", wordings{}.shape(), describe(n))}
	}
	out := wordings{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], resolve(n.Content[i+1])
		sub := path + "." + keyName(k.Value)
		if err := checkLocale(k.Value); err != nil {
			return nil, &nodeError{node: k, path: sub, msg: err.Error()}
		}
		if _, dup := out[locale(k.Value)]; dup {
			return nil, &nodeError{node: k, path: sub, msg: "repeated locale; keep one"}
		}
		w, err := readWording(v, sub)
		if err != nil {
			return nil, err
		}
		out[locale(k.Value)] = w
	}
	return out, nil
}

// reason is one entry of reasons: a short id, stored with the answer and
// counted in digests, and its button label per locale, e.g.
// {id: speed, en: "Speed", he: "מהירות"}.
type reason struct {
	id     string
	labels wordings
	node   *yaml.Node
}

func (r *reason) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf(`expected a mapping of id and labels per locale, e.g. {id: speed, en: "Speed"}, got %s`, describe(n))
	}
	out := reason{labels: wordings{}, node: n}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], resolve(n.Content[i+1])
		if k.Value == "id" {
			if out.id != "" {
				return &nodeError{node: k, path: "id", msg: "repeated key; keep one"}
			}
			s, err := scalarText(v)
			if err == nil && !reasonIDPattern.MatchString(s) {
				err = fmt.Errorf("%q is not a reason id; use 1 to 8 lower-case letters, digits and _ (it goes into button data, which is short on Telegram)", s)
			}
			if err == nil && s == "skip" {
				err = fmt.Errorf(`"skip" is the skip button's; choose another id`)
			}
			if err != nil {
				return &nodeError{node: v, path: "id", msg: err.Error()}
			}
			out.id = s
			continue
		}
		if err := checkLocale(k.Value); err != nil {
			return &nodeError{node: k, path: keyName(k.Value), msg: "unknown key: give id and the label per locale; " + err.Error()}
		}
		if _, dup := out.labels[locale(k.Value)]; dup {
			return &nodeError{node: k, path: k.Value, msg: "repeated locale; keep one"}
		}
		w, err := readWording(v, k.Value)
		if err != nil {
			return err
		}
		out.labels[locale(k.Value)] = w
	}
	if out.id == "" {
		return fmt.Errorf("missing id; give the reason a short id such as speed")
	}
	if len(out.labels) == 0 {
		return fmt.Errorf("reason %q has no label; add one per locale, e.g. en: \"Speed\"", out.id)
	}
	*r = out
	return nil
}

func (r reason) MarshalYAML() (any, error) {
	m := &yaml.Node{Kind: yaml.MappingNode, Style: yaml.FlowStyle}
	add := func(k, v string) {
		m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: k}, &yaml.Node{Kind: yaml.ScalarNode, Value: v})
	}
	add("id", r.id)
	for _, l := range locales {
		if w, ok := r.labels[locale(l)]; ok {
			add(l, string(w))
		}
	}
	return m, nil
}

// surveyWording checks and applies a survey's title, follow-up question,
// thanks and reasons.
func (d *decoder) surveyWording(f fileSurvey, path string, s *Survey) {
	p := f.Pos
	if p.ok("title") && len(f.Title) > 0 {
		s.Title = plain(f.Title)
	}
	if p.ok("follow_up_question") && len(f.FollowUpQuestion) > 0 {
		s.FollowUpQuestion = map[string]map[string]string{}
		for b, w := range f.FollowUpQuestion {
			s.FollowUpQuestion[b] = plain(w)
		}
	}
	if p.ok("thanks") && len(f.Thanks) > 0 {
		s.Thanks = plain(f.Thanks)
	}
	if !p.ok("reasons") || len(f.Reasons) == 0 {
		return
	}
	if len(f.Reasons) > MaxReasons {
		d.errorf(p.at("reasons"), path+".reasons", "%d reasons are more than the %d buttons every platform can show with skip; keep the %d that matter most", len(f.Reasons), MaxReasons, MaxReasons)
		return
	}
	seen := map[string]int{}
	for i, r := range f.Reasons {
		if line, dup := seen[r.id]; dup {
			d.errorf(r.node, fmt.Sprintf("%s.reasons[%d].id", path, i), "%q is already the id of the reason on line %d; ids must be unique", r.id, line)
			continue
		}
		seen[r.id] = r.node.Line
		s.Reasons = append(s.Reasons, Reason{ID: r.id, Labels: plain(r.labels)})
	}
}

func plain(w wordings) map[string]string {
	out := make(map[string]string, len(w))
	for l, t := range w {
		out[string(l)] = string(t)
	}
	return out
}

func toWordings(m map[string]string) wordings {
	out := make(wordings, len(m))
	for l, t := range m {
		out[locale(l)] = wording(t)
	}
	return out
}

// coverage says which locales the survey's own wording covers, key by key,
// and which locales speak only vocbot's built-in wording, for config check:
// "wording of nps-delivery: question en he · title en · …; built-in only: fa, ar, ru".
func (s Survey) coverage() string {
	own := map[string]bool{}
	var parts []string
	list := func(key string, m map[string]string) {
		var ls []string
		for _, l := range locales {
			if m[l] != "" {
				ls = append(ls, l)
				own[l] = true
			}
		}
		if len(ls) > 0 {
			parts = append(parts, key+" "+strings.Join(ls, " "))
		}
	}
	list("question", s.Question)
	list("title", s.Title)
	for _, b := range append([]string{""}, bands...) {
		key := "follow_up_question"
		if b != "" {
			key += "." + b
		}
		list(key, s.FollowUpQuestion[b])
	}
	list("thanks", s.Thanks)
	labels := map[string]string{}
	for _, l := range locales {
		for _, r := range s.Reasons {
			if r.Labels[l] != "" {
				labels[l] = r.Labels[l]
			}
		}
	}
	list("reasons", labels)
	var builtin []string
	for _, l := range locales {
		if !own[l] {
			builtin = append(builtin, l)
		}
	}
	out := "wording of " + s.ID + ": "
	if len(parts) == 0 {
		return out + "built-in in every locale"
	}
	out += strings.Join(parts, " · ")
	if len(builtin) > 0 {
		out += "; built-in only: " + strings.Join(builtin, ", ")
	}
	return out
}
