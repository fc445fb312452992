package slacktest

import (
	"encoding/json"
	"net/http"
	"net/url"
	"unicode/utf8"
)

// View is a modal opened with views.open.
type View struct {
	ID, TriggerID string
	Raw           json.RawMessage // the view as sent
}

// Views returns the modals opened so far.
func (s *Server) Views() []View {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]View(nil), s.views...)
}

// openView checks a modal the way Slack does for what matters to callers:
// a trigger id (valid for 3 s in Slack; any non-empty id here), a modal
// with a title of at most 24 characters and at most 100 blocks.
func (s *Server) openView(p url.Values) (answer, *apiError) {
	trigger := p.Get("trigger_id")
	if trigger == "" {
		return nil, &apiError{code: "invalid_arguments", messages: []string{"[ERROR] missing required field: trigger_id"}}
	}
	var v struct {
		Type  string `json:"type"`
		Title struct {
			Text string `json:"text"`
		} `json:"title"`
		Blocks []json.RawMessage `json:"blocks"`
	}
	raw := p.Get("view")
	if err := json.Unmarshal([]byte(raw), &v); err != nil {
		return nil, &apiError{code: "invalid_arguments", messages: []string{"[ERROR] view is not JSON"}}
	}
	switch {
	case v.Type != "modal":
		return nil, &apiError{code: "invalid_arguments", messages: []string{"[ERROR] must be 'modal' [json-pointer:/view/type]"}}
	case v.Title.Text == "" || utf8.RuneCountInString(v.Title.Text) > 24:
		return nil, &apiError{code: "invalid_arguments", messages: []string{"[ERROR] must be 1–24 characters [json-pointer:/view/title/text]"}}
	case len(v.Blocks) > 100:
		return nil, &apiError{code: "invalid_arguments", messages: []string{"[ERROR] no more than 100 items allowed [json-pointer:/view/blocks]"}}
	}
	id := "V" + trigger
	s.views = append(s.views, View{ID: id, TriggerID: trigger, Raw: json.RawMessage(raw)})
	s.notify()
	return answer{"view": answer{"id": id, "type": "modal"}}, nil
}

// jsonForm reads a JSON request body into r.Form.
func jsonForm(r *http.Request) error {
	var fields map[string]json.RawMessage
	if err := json.NewDecoder(r.Body).Decode(&fields); err != nil {
		return err
	}
	r.Form = url.Values{}
	for k, v := range fields {
		var s string
		if json.Unmarshal(v, &s) == nil {
			r.Form.Set(k, s)
		} else {
			r.Form.Set(k, string(v))
		}
	}
	return nil
}
