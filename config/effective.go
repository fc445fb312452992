package config

import (
	"fmt"
	"io"
	"net/url"
	"strings"

	"go.yaml.in/yaml/v3"
)

// masked replaces every secret in printed output. It has a fixed length, so
// not even a secret's length shows.
const masked = "****"

// WriteEffective prints the configuration in effect as YAML, for vocbot
// config check: a comment header naming the file and listing Features, the
// VOCBOT_* variables under "environment" (defaults filled in), then every
// file key with defaults filled in, built-in surveys included. Tokens,
// secrets and passwords are masked; known token prefixes (xoxb-, xapp-,
// whsec_) are kept so a swapped token still shows.
func (c *Config) WriteEffective(w io.Writer) error {
	var b strings.Builder
	b.WriteString("# vocbot configuration in effect; secrets are masked.\n")
	if c.File != "" {
		fmt.Fprintf(&b, "# file: %s\n", c.File)
	} else {
		b.WriteString("# file: none; built-in defaults apply\n")
	}
	for _, f := range c.Features() {
		fmt.Fprintf(&b, "# %s\n", f)
	}
	for _, s := range c.Surveys {
		fmt.Fprintf(&b, "# %s\n", s.coverage())
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return err
	}
	view, err := c.view()
	if err != nil {
		return fmt.Errorf("write effective configuration: %w", err)
	}
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(view); err != nil {
		return fmt.Errorf("write effective configuration: %w", err)
	}
	return enc.Close()
}

// effectiveView is what config check prints: the environment, then the
// file's keys through the file's own schema, so the two cannot drift apart.
type effectiveView struct {
	Environment *yaml.Node `yaml:"environment"`
	File        fileConfig `yaml:",inline"`
}

func (c *Config) view() (effectiveView, error) {
	env := &yaml.Node{Kind: yaml.MappingNode}
	for _, v := range envVars() {
		var value yaml.Node
		if err := value.Encode(v.show(c)); err != nil {
			return effectiveView{}, err
		}
		env.Content = append(env.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v.name}, &value)
	}
	return effectiveView{Environment: env, File: c.file()}, nil
}

// file is c's file part in the file's schema, every key filled in, built-in
// surveys included: loading it gives c's file settings back.
func (c *Config) file() fileConfig {
	f := fileConfig{
		Product:       productName(c.Product),
		Timezone:      zone{c.Timezone},
		DefaultLocale: locale(c.DefaultLocale),
		Surveys:       []fileSurvey{},
		Touchpoints:   []fileTouchpoint{},
		Fatigue:       fileFatigue{MinGap: duration(c.Fatigue.MinGap)},
		Digests:       []fileDigest{},
		Alerts:        []fileAlert{},
		Ambassadors: fileAmbassadors{
			SlackUsers:    convert[slackUser](c.Ambassadors.SlackUsers),
			DiscordRoles:  convert[discordRole](c.Ambassadors.DiscordRoles),
			DiscordUsers:  convert[discordUser](c.Ambassadors.DiscordUsers),
			TelegramUsers: telegramUsers(c.Ambassadors.TelegramUsers),
			DailyQuota:    c.Ambassadors.DailyQuota,
		},
		ENPS:   fileENPS{AnonymityThreshold: c.ENPS.AnonymityThreshold, CommentThreshold: c.ENPS.CommentThreshold},
		Digits: fileDigits{Arabic: digitStyle(c.Digits.Arabic), Persian: digitStyle(c.Digits.Persian)},
		// The URL may carry a token in its query: printed masked.
		WebLinkFallback: fileWebLinkFallback{URL: hookURL(maskURL(c.WebLinkFallback.URL))},
	}
	for _, s := range c.Surveys {
		q := wordings{}
		for l, w := range s.Question {
			q[locale(l)] = wording(w)
		}
		fu := followUpQuestion{}
		for b, w := range s.FollowUpQuestion {
			fu[b] = toWordings(w)
		}
		reasons := []reason{}
		for _, r := range s.Reasons {
			reasons = append(reasons, reason{id: r.ID, labels: toWordings(r.Labels)})
		}
		f.Surveys = append(f.Surveys, fileSurvey{
			ID: itemID(s.ID), Metric: s.Metric, Question: q, FollowUp: s.FollowUp,
			ExpiresAfter: duration(s.ExpiresAfter), ReminderAfter: duration(s.ReminderAfter),
			WebLink: s.WebLink,
			Title:   toWordings(s.Title), FollowUpQuestion: fu, Thanks: toWordings(s.Thanks), Reasons: reasons,
		})
	}
	for _, t := range c.Touchpoints {
		f.Touchpoints = append(f.Touchpoints, fileTouchpoint{
			Type: touchpointType(t.Type), Survey: surveyRef{id: t.Survey}, Delay: duration(t.Delay),
			Sample: share(t.Sample), QuietHours: t.QuietHours,
		})
	}
	for _, g := range c.Digests {
		days := make([]weekday, len(g.Days))
		for i, wd := range g.Days {
			days[i] = weekday{day: wd}
		}
		refs := make([]surveyRef, len(g.Surveys))
		for i, id := range g.Surveys {
			refs[i] = surveyRef{id: id}
		}
		breakdowns := make([]attribute, len(g.Breakdowns))
		for i, b := range g.Breakdowns {
			breakdowns[i] = attribute{name: b}
		}
		f.Digests = append(f.Digests, fileDigest{
			ID: itemID(g.ID), To: g.To, At: g.At, Timezone: zone{g.Timezone}, Days: days,
			Surveys: refs, Quotes: g.Quotes, Locale: locale(g.Locale), Breakdowns: breakdowns,
			PostWhenEmpty: g.PostWhenEmpty,
		})
	}
	for _, a := range c.Alerts {
		fa := fileAlert{To: a.To, On: a.On, FirstReplyWithin: duration(a.FirstReplyWithin), RelayWindow: duration(a.RelayWindow), Reasons: []itemID{}}
		for _, r := range a.Reasons {
			fa.Reasons = append(fa.Reasons, itemID(r))
		}
		if a.Recovery != nil {
			fa.Recovery = fileRecovery{Survey: surveyRef{id: a.Recovery.Survey}, After: duration(a.Recovery.After)}
		}
		f.Alerts = append(f.Alerts, fa)
	}
	return f
}

func telegramUsers(ids []int64) []telegramUser {
	out := make([]telegramUser, len(ids))
	for i, id := range ids {
		out[i] = telegramUser(id)
	}
	return out
}

// convert copies a list into a list of another type of the same kind.
func convert[T ~string, S ~string](s []S) []T {
	out := make([]T, len(s))
	for i, v := range s {
		out[i] = T(v)
	}
	return out
}

func locationName(loc interface{ String() string }) string {
	if loc == nil {
		return "UTC"
	}
	return loc.String()
}

// maskSecret hides a secret but keeps its well-known type prefix; "" stays
// "" so unset secrets show as unset.
func maskSecret(v, prefix string) string {
	if v == "" {
		return ""
	}
	return prefix + masked
}

// maskList hides n list entries but keeps their count, useful when rotating
// tokens: "****,****".
func maskList(n int) string {
	s := make([]string, n)
	for i := range s {
		s[i] = masked
	}
	return strings.Join(s, ",")
}

// secretParam tells query parameters that carry credentials (PostgreSQL's
// password and sslpassword, tokens of proxies).
func secretParam(name string) bool {
	name = strings.ToLower(name)
	for _, w := range []string{"pass", "secret", "token", "key", "auth"} {
		if strings.Contains(name, w) {
			return true
		}
	}
	return false
}

// maskURL hides the password of a URL (postgres://user:****@host/db), any
// other user info of a non-database URL, and query parameters that look like
// credentials. A URL it cannot parse is hidden whole.
func maskURL(raw string) string {
	if raw == "" {
		return ""
	}
	if strings.HasPrefix(raw, "sqlite://") {
		return raw // a file path; storage refuses anything but a path
	}
	// The Telegram endpoint is a format string; its %s are not escapes. The
	// placeholder for the mask survives URL escaping, which "*" would not.
	const verb, mask = "VOCBOTFMTVERB", "VOCBOTMASK"
	u, err := url.Parse(strings.ReplaceAll(raw, "%s", verb))
	if err != nil || u.Opaque != "" {
		return masked
	}
	if u.User != nil {
		_, hasPassword := u.User.Password()
		switch {
		case hasPassword:
			u.User = url.UserPassword(u.User.Username(), mask)
		case u.Scheme != "postgres" && u.Scheme != "postgresql":
			u.User = url.User(mask)
		}
	}
	if u.RawQuery != "" {
		parts := strings.Split(u.RawQuery, "&")
		for i, p := range parts {
			name, _, _ := strings.Cut(p, "=")
			if key, err := url.QueryUnescape(name); err != nil || secretParam(key) {
				parts[i] = name + "=" + masked
			}
		}
		u.RawQuery = strings.Join(parts, "&")
	}
	if u.Fragment != "" {
		u.Fragment, u.RawFragment = masked, ""
	}
	return strings.NewReplacer(verb, "%s", mask, masked).Replace(u.String())
}
