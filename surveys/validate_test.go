package surveys_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vocbot/vocbot/surveys"
)

func TestValidate(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	valid := func() surveys.Touchpoint {
		return surveys.Touchpoint{
			Source: "api", ExternalID: "evt_123", Type: "order_delivered", OccurredAt: now.Add(-time.Hour),
			Customer: surveys.Customer{ExternalID: "cus_42", Name: "Dana", Locale: "he", TimeZone: "Asia/Jerusalem",
				Identities: []surveys.Address{tg, sl, dc}},
			Attributes: map[string]string{"agent": "yossi", "channel": "phone"},
		}
	}
	manyAttributes := map[string]string{}
	for i := range 33 {
		manyAttributes[fmt.Sprintf("k%02d", i)] = "v"
	}
	tests := []struct {
		name string
		edit func(*surveys.Touchpoint)
		want []surveys.FieldError // nil: valid
	}{
		{name: "valid", edit: func(*surveys.Touchpoint) {}},
		{name: "no id is fine", edit: func(tp *surveys.Touchpoint) { tp.ExternalID = "" }},
		{name: "bad id", edit: func(tp *surveys.Touchpoint) { tp.ExternalID = "evt 1" },
			want: []surveys.FieldError{{Field: "id", Message: `"evt 1" must be 1–128 characters of letters, digits and ._:@/+-`}}},
		{name: "id too long, quoted cut short", edit: func(tp *surveys.Touchpoint) { tp.ExternalID = strings.Repeat("a", 129) },
			want: []surveys.FieldError{{Field: "id", Message: `"` + strings.Repeat("a", 64) + `"… must be 1–128 characters of letters, digits and ._:@/+-`}}},
		{name: "no type", edit: func(tp *surveys.Touchpoint) { tp.Type = "" },
			want: []surveys.FieldError{{Field: "type", Message: `is required, e.g. "order_delivered"`}}},
		{name: "bad type", edit: func(tp *surveys.Touchpoint) { tp.Type = "Order Delivered" },
			want: []surveys.FieldError{{Field: "type", Message: `"Order Delivered" must be lower-case letters, digits and _.- (at most 64)`}}},
		{name: "unknown type without survey is valid (Decide skips it)", edit: func(tp *surveys.Touchpoint) { tp.Type = "newsletter_opened" }},
		{name: "unknown survey", edit: func(tp *surveys.Touchpoint) { tp.SurveyID = "nps-checkout" },
			want: []surveys.FieldError{{Field: "survey", Message: `unknown survey "nps-checkout"; known: nps, csat, ces, enps, nps-delivery, no-expiry`}}},
		{name: "known survey", edit: func(tp *surveys.Touchpoint) { tp.SurveyID = "ces" }},
		{name: "rule names an unknown survey", edit: func(tp *surveys.Touchpoint) { tp.Type = "broken_rule" },
			want: []surveys.FieldError{{Field: "type", Message: `the rule for "broken_rule" names unknown survey "gone"; fix the configuration`}}},
		{name: "occurred_at far in the future", edit: func(tp *surveys.Touchpoint) { tp.OccurredAt = now.Add(25 * time.Hour) },
			want: []surveys.FieldError{{Field: "occurred_at", Message: "2026-11-24T13:00:00Z is more than a day in the future"}}},
		{name: "occurred_at a little in the future (clock skew) is fine", edit: func(tp *surveys.Touchpoint) { tp.OccurredAt = now.Add(time.Hour) }},
		{name: "no customer id", edit: func(tp *surveys.Touchpoint) { tp.Customer.ExternalID = "" },
			want: []surveys.FieldError{{Field: "customer.id", Message: `is required: your own id for the customer, e.g. "cus_42"`}}},
		{name: "bad customer id", edit: func(tp *surveys.Touchpoint) { tp.Customer.ExternalID = "dana@example.com?" },
			want: []surveys.FieldError{{Field: "customer.id", Message: `"dana@example.com?" must be 1–128 characters of letters, digits and ._:@/+-`}}},
		{name: "customer id of 100k characters", edit: func(tp *surveys.Touchpoint) { tp.Customer.ExternalID = strings.Repeat("c", 100_000) },
			want: []surveys.FieldError{{Field: "customer.id", Message: `"` + strings.Repeat("c", 64) + `"… must be 1–128 characters of letters, digits and ._:@/+-`}}},
		{name: "customer id with a control character", edit: func(tp *surveys.Touchpoint) { tp.Customer.ExternalID = "cus\x01" },
			want: []surveys.FieldError{{Field: "customer.id", Message: `"cus\x01" must be 1–128 characters of letters, digits and ._:@/+-`}}},
		{name: "NUL in the name", edit: func(tp *surveys.Touchpoint) { tp.Customer.Name = "Da\x00na" },
			want: []surveys.FieldError{{Field: "customer.name", Message: `contains a NUL character (\u0000); remove it`}}},
		{name: "invalid UTF-8 in the name", edit: func(tp *surveys.Touchpoint) { tp.Customer.Name = "Da\xffna" },
			want: []surveys.FieldError{{Field: "customer.name", Message: "is not valid UTF-8; send text encoded as UTF-8"}}},
		{name: "NUL in an attribute value", edit: func(tp *surveys.Touchpoint) { tp.Attributes = map[string]string{"agent": "yo\x00ssi"} },
			want: []surveys.FieldError{{Field: "attributes.agent", Message: `contains a NUL character (\u0000); remove it`}}},
		{name: "NUL in an attribute key", edit: func(tp *surveys.Touchpoint) { tp.Attributes = map[string]string{"ag\x00ent": "yossi"} },
			want: []surveys.FieldError{{Field: "attributes", Message: `key "ag\x00ent" contains a NUL character (\u0000); remove it`}}},
		{name: "invalid UTF-8 in an attribute key", edit: func(tp *surveys.Touchpoint) { tp.Attributes = map[string]string{"ag\xc3": "yossi"} },
			want: []surveys.FieldError{{Field: "attributes", Message: "key \"ag\ufffd\" is not valid UTF-8; send text encoded as UTF-8"}}},
		{name: "SQL and markup in text fields are just text", edit: func(tp *surveys.Touchpoint) {
			tp.Customer.Name = `Robert'); DROP TABLE customers;-- <script>alert(1)</script>`
			tp.Attributes = map[string]string{"note": `' OR 1=1 --`, "<b>": "{{.}}"}
		}},
		{name: "name too long", edit: func(tp *surveys.Touchpoint) { tp.Customer.Name = strings.Repeat("ד", 201) },
			want: []surveys.FieldError{{Field: "customer.name", Message: "is longer than 200 characters"}}},
		{name: "name of 200 letters is fine", edit: func(tp *surveys.Touchpoint) { tp.Customer.Name = strings.Repeat("ד", 200) }},
		{name: "bad locale", edit: func(tp *surveys.Touchpoint) { tp.Customer.Locale = "12" },
			want: []surveys.FieldError{{Field: "customer.locale", Message: `"12" is not a language tag; use e.g. "he" or "ru-RU"`}}},
		{name: "bad time zone", edit: func(tp *surveys.Touchpoint) { tp.Customer.TimeZone = "Mars/Olympus_Mons" },
			want: []surveys.FieldError{{Field: "customer.timezone", Message: `"Mars/Olympus_Mons" is not an IANA time zone; use e.g. "Asia/Jerusalem"`}}},
		{name: "Local is not a time zone", edit: func(tp *surveys.Touchpoint) { tp.Customer.TimeZone = "Local" },
			want: []surveys.FieldError{{Field: "customer.timezone", Message: `"Local" is not an IANA time zone; use e.g. "Asia/Jerusalem"`}}},
		{name: "bad Telegram chat id", edit: func(tp *surveys.Touchpoint) {
			tp.Customer.Identities = []surveys.Address{{Platform: surveys.Telegram, ChatID: "@dana"}}
		},
			want: []surveys.FieldError{{Field: "customer.telegram_chat_id", Message: `"@dana" is not a Telegram chat id (a positive integer)`}}},
		{name: "zero Telegram chat id", edit: func(tp *surveys.Touchpoint) {
			tp.Customer.Identities = []surveys.Address{{Platform: surveys.Telegram, ChatID: "0"}}
		},
			want: []surveys.FieldError{{Field: "customer.telegram_chat_id", Message: "0 is not a customer's private chat: Telegram chat ids of people are positive (negative ones are groups and channels)"}}},
		{name: "negative Telegram chat id (a group) is not a recipient", edit: func(tp *surveys.Touchpoint) {
			tp.Customer.Identities = []surveys.Address{{Platform: surveys.Telegram, ChatID: "-1001234567890"}}
		},
			want: []surveys.FieldError{{Field: "customer.telegram_chat_id", Message: "-1001234567890 is not a customer's private chat: Telegram chat ids of people are positive (negative ones are groups and channels)"}}},
		{name: "bad Slack user", edit: func(tp *surveys.Touchpoint) {
			tp.Customer.Identities = []surveys.Address{{Platform: surveys.Slack, UserID: "dana"}}
		},
			want: []surveys.FieldError{{Field: "customer.slack_user_id", Message: `"dana" is not a Slack user id (U… or W…)`}}},
		{name: "bad Discord user", edit: func(tp *surveys.Touchpoint) {
			tp.Customer.Identities = []surveys.Address{{Platform: surveys.Discord, UserID: "1234"}}
		},
			want: []surveys.FieldError{{Field: "customer.discord_user_id", Message: `"1234" is not a Discord user id (a 15–21 digit snowflake)`}}},
		{name: "unknown platform", edit: func(tp *surveys.Touchpoint) {
			tp.Customer.Identities = []surveys.Address{{Platform: "whatsapp", UserID: "972501234567"}}
		},
			want: []surveys.FieldError{{Field: "customer.whatsapp", Message: `unknown platform "whatsapp"`}}},
		{name: "no platform", edit: func(tp *surveys.Touchpoint) { tp.Customer.Identities = []surveys.Address{tg, {ChatID: "1"}} },
			want: []surveys.FieldError{{Field: "customer.identities[1]", Message: `unknown platform ""`}}},
		{name: "too many attributes", edit: func(tp *surveys.Touchpoint) { tp.Attributes = manyAttributes },
			want: []surveys.FieldError{{Field: "attributes", Message: "has 33 keys; at most 32"}}},
		{name: "empty attribute key", edit: func(tp *surveys.Touchpoint) { tp.Attributes = map[string]string{"": "x"} },
			want: []surveys.FieldError{{Field: "attributes", Message: `key "" must be 1–64 bytes`}}},
		{name: "long attribute key", edit: func(tp *surveys.Touchpoint) { tp.Attributes = map[string]string{strings.Repeat("k", 65): "x"} },
			want: []surveys.FieldError{{Field: "attributes", Message: fmt.Sprintf("key %q… must be 1–64 bytes", strings.Repeat("k", 64))}}},
		{name: "long attribute value", edit: func(tp *surveys.Touchpoint) { tp.Attributes = map[string]string{"note": strings.Repeat("x", 257)} },
			want: []surveys.FieldError{{Field: "attributes.note", Message: "is longer than 256 bytes"}}},
		{name: "every problem at once, in field order", edit: func(tp *surveys.Touchpoint) {
			tp.ExternalID = "a b"
			tp.Type = ""
			tp.Customer = surveys.Customer{Locale: "x", TimeZone: "Nowhere"}
			tp.Attributes = map[string]string{"z": strings.Repeat("x", 300), "a": strings.Repeat("x", 300)}
		}, want: []surveys.FieldError{
			{Field: "id", Message: `"a b" must be 1–128 characters of letters, digits and ._:@/+-`},
			{Field: "type", Message: `is required, e.g. "order_delivered"`},
			{Field: "customer.id", Message: `is required: your own id for the customer, e.g. "cus_42"`},
			{Field: "customer.locale", Message: `"x" is not a language tag; use e.g. "he" or "ru-RU"`},
			{Field: "customer.timezone", Message: `"Nowhere" is not an IANA time zone; use e.g. "Asia/Jerusalem"`},
			{Field: "attributes.a", Message: "is longer than 256 bytes"},
			{Field: "attributes.z", Message: "is longer than 256 bytes"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := decideSettings(t)
			s.Rules = append(s.Rules, surveys.Rule{Type: "broken_rule", SurveyID: "gone"})
			tp := valid()
			tt.edit(&tp)
			err := s.Validate(&tp, now)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Validate = %v, want nil", err)
				}
				return
			}
			var ve *surveys.ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("Validate = %v (%T), want a *ValidationError", err, err)
			}
			if diff := cmp.Diff(tt.want, ve.Fields); diff != "" {
				t.Errorf("field errors mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestValidateNormalizes(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		locale, want string
	}{
		{"he-IL", "he"}, {"iw", "he"}, {"ru_RU", "ru"}, {"FA", "fa"}, {"ar-u-nu-latn", "ar"}, {"de-CH", "de"}, {"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.locale, func(t *testing.T) {
			t.Parallel()
			tp := surveys.Touchpoint{Type: "ticket_closed", Customer: surveys.Customer{ExternalID: "c", Locale: tt.locale}}
			if err := decideSettings(t).Validate(&tp, now); err != nil {
				t.Fatalf("Validate: %v", err)
			}
			if tp.Customer.Locale != tt.want {
				t.Errorf("locale %q normalized to %q, want %q", tt.locale, tp.Customer.Locale, tt.want)
			}
			if !tp.OccurredAt.Equal(now) {
				t.Errorf("missing occurred_at became %v, want now (%v)", tp.OccurredAt, now)
			}
		})
	}
}

func TestValidationErrorMessage(t *testing.T) {
	t.Parallel()
	err := &surveys.ValidationError{Fields: []surveys.FieldError{
		{Field: "type", Message: "is required"},
		{Field: "customer.id", Message: "is required"},
	}}
	if got, want := err.Error(), "type: is required; customer.id: is required"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}
