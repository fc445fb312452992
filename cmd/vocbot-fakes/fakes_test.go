package main

import "testing"

func TestIsSurvey(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		markup string
		want   bool
	}{
		{"NPS 0–10", `{"inline_keyboard":[[{"text":"0","callback_data":"a"},{"text":"1","callback_data":"a"},{"text":"2","callback_data":"a"},{"text":"3","callback_data":"a"},{"text":"4","callback_data":"a"},{"text":"5","callback_data":"a"}],[{"text":"6","callback_data":"a"},{"text":"7","callback_data":"a"},{"text":"8","callback_data":"a"},{"text":"9","callback_data":"a"},{"text":"10","callback_data":"a"}]]}`, true},
		{"CSAT 1–5", `{"inline_keyboard":[[{"text":"1","callback_data":"a"},{"text":"2","callback_data":"a"},{"text":"3","callback_data":"a"},{"text":"4","callback_data":"a"},{"text":" 5 ","callback_data":"a"}]]}`, true},
		{"follow-up with reasons", `{"inline_keyboard":[[{"text":"Speed","callback_data":"a"},{"text":"Staff","callback_data":"a"}],[{"text":"Skip","callback_data":"a"}]]}`, false},
		{"no keyboard", ``, false},
		{"not JSON", `{`, false},
		{"force reply", `{"force_reply":true}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := isSurvey(tt.markup); got != tt.want {
				t.Errorf("isSurvey(%s) = %v, want %v", tt.markup, got, tt.want)
			}
		})
	}
}

func TestFaultValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		f    Fault
		ok   bool
	}{
		{"a 429 storm", Fault{Platform: "telegram", Method: "sendMessage", Kind: "ratelimit", Count: 5, RetryAfter: 1}, true},
		{"a hang", Fault{Platform: "slack", Method: "chat.postMessage", Kind: "hang", Count: 1}, true},
		{"unknown platform", Fault{Platform: "discord", Method: "x", Kind: "hang", Count: 1}, false},
		{"no method", Fault{Platform: "slack", Kind: "hang", Count: 1}, false},
		{"no count", Fault{Platform: "slack", Method: "chat.postMessage", Kind: "hang"}, false},
		{"unknown kind", Fault{Platform: "slack", Method: "chat.postMessage", Kind: "explode", Count: 1}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if err := tt.f.validate(); (err == nil) != tt.ok {
				t.Errorf("validate(%+v) = %v, want ok=%v", tt.f, err, tt.ok)
			}
		})
	}
}

// Faults apply to the next calls of their method only, in the order given.
func TestTakeAppliesFaultsInOrder(t *testing.T) {
	t.Parallel()
	f := newFakes(nil, nil)
	f.faults = []Fault{
		{Platform: "telegram", Method: "sendMessage", Kind: "status", Count: 2},
		{Platform: "telegram", Method: "sendMessage", Kind: "hang", Count: 1},
		{Platform: "slack", Method: "chat.postMessage", Kind: "drop", Count: 1},
	}
	var got []string
	for range 4 {
		if ft := f.take("telegram", "sendMessage"); ft != nil {
			got = append(got, ft.Kind)
		} else {
			got = append(got, "-")
		}
	}
	if want := []string{"status", "status", "hang", "-"}; !equal(got, want) {
		t.Errorf("telegram faults applied: got %v, want %v", got, want)
	}
	if ft := f.take("telegram", "getUpdates"); ft != nil {
		t.Errorf("getUpdates got fault %+v, want none", ft)
	}
	if ft := f.take("slack", "chat.postMessage"); ft == nil || ft.Kind != "drop" {
		t.Errorf("slack fault: got %+v, want drop", ft)
	}
	if n := f.faulted["telegram.sendMessage.status"]; n != 2 {
		t.Errorf("faulted count: got %d, want 2", n)
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
