package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/vocbot/vocbot/chart"
	"github.com/vocbot/vocbot/config"
	"github.com/vocbot/vocbot/scoring"
	"github.com/vocbot/vocbot/storage"
	"github.com/vocbot/vocbot/surveys"
)

// digestJobs is the digest part of serve's job queue: every configured
// digest, posted with its chart by the adapters running in this process.
func digestJobs(cfg *config.Config, settings *surveys.Settings, posters map[surveys.Platform]surveys.DigestPoster, log *slog.Logger) storage.Digests {
	return storage.Digests{
		Specs:      digestSpecs(cfg),
		Settings:   settings,
		Thresholds: digestThresholds(cfg),
		Posters:    posters,
		Chart:      chart.DigestPNG,
		Logger:     log,
	}
}

// digestSpecs translates the configured digests. Latin digits for Persian
// or Arabic come from the workspace's digit setting as a -u-nu-latn locale.
func digestSpecs(cfg *config.Config) []surveys.DigestSpec {
	out := make([]surveys.DigestSpec, 0, len(cfg.Digests))
	for _, g := range cfg.Digests {
		out = append(out, surveys.DigestSpec{
			ID:       g.ID,
			To:       surveys.Address{Platform: surveys.Platform(g.To.Platform), ChatID: g.To.ID},
			At:       int(g.At),
			Timezone: g.Timezone,
			Days:     g.Days,
			Surveys:  g.Surveys,
			Quotes:   g.Quotes,
			Locale:   digestLocale(cfg, g.Locale),

			Breakdowns:    g.Breakdowns,
			PostWhenEmpty: g.PostWhenEmpty,
		})
	}
	return out
}

func digestLocale(cfg *config.Config, locale string) string {
	if locale == "" {
		locale = cfg.DefaultLocale
	}
	if (locale == "fa" && cfg.Digits.Persian == "latin") || (locale == "ar" && cfg.Digits.Arabic == "latin") {
		return locale + "-u-nu-latn"
	}
	return locale
}

// digestThresholds carries the workspace's eNPS anonymity rules.
func digestThresholds(cfg *config.Config) surveys.DigestThresholds {
	th, err := scoring.ENPSThresholds(cfg.ENPS.AnonymityThreshold, cfg.ENPS.CommentThreshold)
	if err != nil {
		return surveys.DigestThresholds{} // config validated them; fall back to the defaults
	}
	return surveys.DigestThresholds{ENPS: th}
}

func digestCommand(ctx context.Context, env *environment, args []string) error {
	if len(args) == 0 || args[0] != "preview" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			fmt.Fprintln(env.stdout, "Usage: vocbot digest preview [--digest ID] [--date YYYY-MM-DD]")
			return errHelp
		}
		return usagef("digest: use 'vocbot digest preview [--digest ID] [--date YYYY-MM-DD]'")
	}
	fs := newFlagSet(env, "digest preview", "", "Render a digest from the stored responses, exactly as it would be posted (text form).\n"+
		"Without --date it is today's digest as of now; with it, the digest of that local date.\n"+
		"Nothing is posted or recorded.")
	cfgPath := fs.String("config", "", "YAML configuration file (default $VOCBOT_CONFIG, else ./vocbot.yaml if present)")
	id := fs.String("digest", "", "digest `ID` from the configuration (default: the first; with none configured, every survey)")
	date := fs.String("date", "", "local `DATE` of the digest, YYYY-MM-DD (default: today)")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("digest preview takes only flags, got %q", fs.Args())
	}
	st, err := openReadStack(ctx, env, *cfgPath)
	if err != nil {
		return err
	}
	defer st.Close()
	spec, err := previewSpec(st.cfg, *id)
	if err != nil {
		return err
	}
	now := time.Now()
	if *date != "" {
		day, err := time.ParseInLocation(time.DateOnly, *date, spec.Timezone)
		if err != nil {
			return usagef("digest preview: --date %q: want YYYY-MM-DD, e.g. 2026-11-23", *date)
		}
		// Windows depend only on the local date; noon is inside it whatever DST does.
		now = day.Add(12 * time.Hour)
	}
	d, err := surveys.ComposeDigest(ctx, st.store, spec, surveySettings(st.cfg, nil), digestThresholds(st.cfg), now)
	if err != nil {
		return fmt.Errorf("digest preview: %w", err)
	}
	_, err = io.WriteString(env.stdout, d.Text())
	return err
}

func previewSpec(cfg *config.Config, id string) (surveys.DigestSpec, error) {
	specs := digestSpecs(cfg)
	if id == "" {
		if len(specs) > 0 {
			return specs[0], nil
		}
		return surveys.DigestSpec{ID: "preview", Timezone: cfg.Timezone, Quotes: 5, Locale: digestLocale(cfg, "")}, nil
	}
	for _, s := range specs {
		if s.ID == id {
			return s, nil
		}
	}
	return surveys.DigestSpec{}, usagef("digest preview: no digest %q in the configuration", id)
}
