package web

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/vocbot/vocbot/storage"
	"github.com/vocbot/vocbot/storage/storagetest"
)

// TestAPILocaleUsed: a customer locale vocbot has no wording for is
// accepted and the reply says which locale the survey speaks instead; a
// locale it speaks, in any spelling, gets no such note.
func TestAPILocaleUsed(t *testing.T) {
	t.Parallel()
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		f := newAPIFixture(t, db, nil)
		tests := []struct {
			locale   string
			want     any // nil: no locale_used
			wantInv  string
			batchToo bool
		}{
			{"de", "en", "en", true},
			{"de-AT", "en", "en", false},
			{"he-IL", nil, "he", true},
			{"ru", nil, "ru", false},
			{"", nil, "en", false},
		}
		for i, tt := range tests {
			body := fmt.Sprintf(`{"id":"evt_loc_%d","type":"order_delivered","customer":{"id":"cus_loc_%d","locale":%q,"telegram_chat_id":%d}}`, i, i, tt.locale, 300+i)
			r := f.do(t, "POST", "/v1/touchpoints", body, nil)
			if r.status != http.StatusAccepted {
				t.Fatalf("locale %q: got %d %v, want 202", tt.locale, r.status, r.body)
			}
			if got := r.body["locale_used"]; got != tt.want {
				t.Errorf("locale %q: locale_used %v, want %v", tt.locale, got, tt.want)
			}
			if got := r.body["invitation"].(map[string]any)["locale"]; got != tt.wantInv {
				t.Errorf("locale %q: invitation locale %v, want %v", tt.locale, got, tt.wantInv)
			}
			if !tt.batchToo {
				continue
			}
			batch := f.do(t, "POST", "/v1/touchpoints/batch", `{"touchpoints":[`+fmt.Sprintf(`{"id":"evt_locb_%d","type":"order_delivered","customer":{"id":"cus_locb_%d","locale":%q,"telegram_chat_id":%d}}`, i, i, tt.locale, 400+i)+`]}`, nil)
			item := batch.body["results"].([]any)[0].(map[string]any)
			if got := item["locale_used"]; got != tt.want {
				t.Errorf("batch, locale %q: locale_used %v, want %v", tt.locale, got, tt.want)
			}
		}
	})
}
