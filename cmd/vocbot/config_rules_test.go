package main

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vocbot/vocbot/config"
	"github.com/vocbot/vocbot/surveys"
)

// Package config may not import surveys, so it repeats two of its rules: the
// locales vocbot has wordings for and what a touchpoint type may be. These
// tests hold the copies equal to the originals.

// TestConfigLocalesAreSurveys checks that the locales the configuration
// accepts are exactly those surveys speaks and ships wordings for.
func TestConfigLocalesAreSurveys(t *testing.T) {
	t.Parallel()
	if diff := cmp.Diff(surveys.Locales, config.Locales()); diff != "" {
		t.Errorf("config.Locales differs from surveys.Locales (-surveys +config):\n%s", diff)
	}
	files, err := filepath.Glob(filepath.Join("..", "..", "surveys", "locales", "active.*.json"))
	if err != nil {
		t.Fatal(err)
	}
	var shipped []string
	for _, f := range files {
		shipped = append(shipped, strings.TrimSuffix(strings.TrimPrefix(filepath.Base(f), "active."), ".json"))
	}
	want := slices.Sorted(slices.Values(config.Locales()))
	if diff := cmp.Diff(want, shipped); diff != "" {
		t.Errorf("surveys/locales/active.*.json differ from config.Locales (-config +shipped):\n%s", diff)
	}
}

// TestConfigTouchpointTypesAreTheAPIs checks that a touchpoint rule's type
// passes the configuration exactly when the API accepts it, over every
// printable ASCII character at the start and inside, a few others, and the
// length limit.
func TestConfigTouchpointTypesAreTheAPIs(t *testing.T) {
	t.Parallel()
	examples := []string{"", "order_delivered", "Order:Delivered", "orderé", "заказ", "a\tb",
		strings.Repeat("a", 64), strings.Repeat("a", 65), strings.Repeat("é", 32)}
	for c := byte(' '); c <= '~'; c++ {
		examples = append(examples, string(c)+"a", "a"+string(c))
	}
	settings := &surveys.Settings{Surveys: []surveys.Survey{{ID: "nps", Metric: surveys.NPS}}}
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	dir := t.TempDir()
	for i, typ := range examples {
		tp := surveys.Touchpoint{Type: typ, SurveyID: "nps", Customer: surveys.Customer{ExternalID: "cus_1"}}
		api := true
		var verr *surveys.ValidationError
		if err := settings.Validate(&tp, now); errors.As(err, &verr) {
			for _, f := range verr.Fields {
				api = api && f.Field != "type"
			}
		} else if err != nil {
			t.Fatalf("type %q: %v", typ, err)
		}

		path := filepath.Join(dir, strconv.Itoa(i)+".yaml")
		content := "touchpoints:\n  - type: " + strconv.Quote(typ) + "\n    survey: nps\n"
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := config.Load(func(string) string { return "" }, []string{"--config", path})
		if cfg := err == nil; cfg != api {
			t.Errorf("type %q: the API accepts it: %v, the configuration: %v (%v)", typ, api, cfg, err)
		}
		if err != nil && !strings.Contains(err.Error(), ":2: touchpoints[0].type: ") {
			t.Errorf("type %q: error %q does not name line 2 and touchpoints[0].type", typ, err)
		}
	}
}
