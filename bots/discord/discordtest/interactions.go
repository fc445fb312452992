package discordtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

// Discord's clock for interactions.
const (
	// AckDeadline is how long an interaction waits for its first answer.
	AckDeadline = 3 * time.Second
	// TokenLifetime is how long the interaction webhook takes follow-ups.
	TokenLifetime = 15 * time.Minute
)

// Interaction types and response types the fake knows.
const (
	typePing      = 1
	typeCommand   = 2
	typeComponent = 3
	typeModal     = 5

	respPong           = 1
	respMessage        = 4
	respDeferred       = 5
	respDeferredUpdate = 6
	respUpdate         = 7
	respModal          = 9
)

// Response is vocbot's first answer to an interaction, as the fake took it.
type Response struct {
	Type      int
	Content   string
	Ephemeral bool
	Rows      [][]Button
	Modal     *Modal
}

// Modal is a modal vocbot opened.
type Modal struct {
	CustomID, Title string
	Inputs          []TextInput
}

// TextInput is a modal's text field.
type TextInput struct {
	CustomID, Label, Placeholder string
	Style, MaxLength             int
	Required                     bool
}

type interaction struct {
	id, token string
	typ       int
	channel   string
	user      string
	message   string // the message a component was on
	created   time.Time
	response  *Response
	original  string // the message a type 4 or 5 answer created
}

// register records an interaction the Client is about to deliver.
func (s *Server) register(it *interaction) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.interactions[it.id] = it
	s.byToken[it.token] = it
}

// ResponseTo returns vocbot's answer to an interaction, once there is one.
func (s *Server) ResponseTo(id string) (Response, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	it, ok := s.interactions[id]
	if !ok || it.response == nil {
		return Response{}, false
	}
	return *it.response, true
}

// Original is the message a type 4 or 5 answer created for an interaction
// (edited by the webhook since), or the message a component was pressed on.
func (s *Server) Original(id string) (Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	it, ok := s.interactions[id]
	if !ok {
		return Message{}, false
	}
	mid := it.original
	if mid == "" {
		mid = it.message
	}
	m, ok := s.byID[mid]
	if !ok {
		return Message{}, false
	}
	return copyMessage(m), true
}

func (s *Server) callback(r *http.Request, body []byte, _ []File) (any, *apiError) {
	if apiErr := s.respond(r.PathValue("interaction"), r.PathValue("token"), body); apiErr != nil {
		return nil, apiErr
	}
	return nil, nil
}

// respond applies vocbot's first answer to an interaction as Discord
// would: within 3 s, once, of a type that fits the interaction.
func (s *Server) respond(id, token string, body []byte) *apiError {
	var resp struct {
		Type int `json:"type"`
		Data *struct {
			messageBody
			CustomID string            `json:"custom_id"`
			Title    string            `json:"title"`
			Choices  []json.RawMessage `json:"choices"`
		} `json:"data"`
	}
	d := json.NewDecoder(bytes.NewReader(body))
	d.DisallowUnknownFields()
	if err := d.Decode(&resp); err != nil {
		return errorf(http.StatusBadRequest, 50109, "The request body contains invalid JSON: %v", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	it, ok := s.interactions[id]
	if !ok || it.token != token || s.opts.Now().Sub(it.created) > AckDeadline {
		return errUnknownInter
	}
	if it.response != nil {
		return errAcknowledged
	}
	allowed := map[int][]int{
		typePing:      {respPong},
		typeCommand:   {respMessage, respDeferred, respModal},
		typeComponent: {respMessage, respDeferred, respDeferredUpdate, respUpdate, respModal},
		typeModal:     {respMessage, respDeferred, respDeferredUpdate, respUpdate},
	}
	fits := false
	for _, t := range allowed[it.typ] {
		fits = fits || t == resp.Type
	}
	if (resp.Type == respDeferredUpdate || resp.Type == respUpdate) && it.message == "" {
		fits = false // a modal not opened from a message has none to update
	}
	if !fits {
		return invalidForm(map[string]string{"type": fmt.Sprintf("Response type %d is not valid for interaction type %d.", resp.Type, it.typ)})
	}
	out := &Response{Type: resp.Type}
	switch resp.Type {
	case respMessage, respUpdate:
		if resp.Data == nil {
			return invalidForm(map[string]string{"data": "This field is required"})
		}
		m, apiErr := buildMessage(resp.Data.messageBody, nil, resp.Type == respMessage)
		if apiErr != nil {
			return apiErr
		}
		out.Content, out.Rows, out.Ephemeral = m.Content, m.Rows, m.Flags&64 != 0
		if resp.Type == respMessage {
			m.ID, m.ChannelID, m.AuthorID, m.Interaction, m.Ephemeral = s.nextID(), it.channel, s.opts.BotID, it.id, out.Ephemeral
			s.add(m)
			it.original = m.ID
			break
		}
		target, ok := s.byID[it.message]
		if !ok {
			return errUnknownMessage
		}
		if apiErr := applyEdit(target, resp.Data.messageBody, nil); apiErr != nil {
			return apiErr
		}
	case respDeferred:
		eph := resp.Data != nil && resp.Data.Flags&64 != 0
		m := &Message{ID: s.nextID(), ChannelID: it.channel, AuthorID: s.opts.BotID, Interaction: it.id, Ephemeral: eph, Deferred: true}
		s.add(m)
		it.original, out.Ephemeral = m.ID, eph
	case respModal:
		if resp.Data == nil {
			return invalidForm(map[string]string{"data": "This field is required"})
		}
		p := map[string]string{}
		if n := length(resp.Data.Title); n < 1 || n > maxModalTitle {
			p["data.title"] = fmt.Sprintf("Must be between 1 and %d in length.", maxModalTitle)
		}
		if n := length(resp.Data.CustomID); n < 1 || n > maxCustomID {
			p["data.custom_id"] = fmt.Sprintf("Must be between 1 and %d in length.", maxCustomID)
		}
		var rows []map[string]any
		if resp.Data.Components != nil {
			rows = *resp.Data.Components
		}
		if len(rows) == 0 {
			p["data.components"] = "Must be between 1 and 5 in length."
		}
		inputs := checkRows(rows, "data.components", p, true)
		if len(p) > 0 {
			return invalidForm(p)
		}
		mo := &Modal{CustomID: resp.Data.CustomID, Title: resp.Data.Title}
		for i, row := range inputs {
			raw := rows[i]["components"].([]any)[0].(map[string]any)
			ti := TextInput{CustomID: row[0].CustomID, Label: row[0].Label, Style: int(num(raw["style"])), MaxLength: int(num(raw["max_length"]))}
			ti.Placeholder, _ = raw["placeholder"].(string)
			ti.Required, _ = raw["required"].(bool)
			mo.Inputs = append(mo.Inputs, ti)
		}
		out.Modal = mo
	}
	it.response = out
	s.notify()
	return nil
}

// webhookInteraction finds the interaction an interaction token belongs to.
func (s *Server) webhookInteraction(r *http.Request) (*interaction, *apiError) {
	if r.PathValue("app") != s.opts.AppID {
		return nil, errUnknownWebhook
	}
	it, ok := s.byToken[r.PathValue("token")]
	if !ok || s.opts.Now().Sub(it.created) > TokenLifetime {
		return nil, errUnknownWebhook
	}
	if it.response == nil {
		return nil, errUnknownWebhook // no first answer, no webhook
	}
	return it, nil
}

func (s *Server) editOriginal(r *http.Request, body []byte, files []File) (any, *apiError) {
	var mb messageBody
	if err := strictJSON(body, &mb); err != nil {
		return nil, errorf(http.StatusBadRequest, 50109, "The request body contains invalid JSON: %v", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	it, apiErr := s.webhookInteraction(r)
	if apiErr != nil {
		return nil, apiErr
	}
	mid := it.original
	if mid == "" {
		mid = it.message
	}
	m, ok := s.byID[mid]
	if !ok {
		return nil, errUnknownMessage
	}
	if apiErr := applyEdit(m, mb, files); apiErr != nil {
		return nil, apiErr
	}
	s.notify()
	return messageJSON(m, s.opts.BotID), nil
}

func (s *Server) followUp(r *http.Request, body []byte, files []File) (any, *apiError) {
	var mb messageBody
	if err := strictJSON(body, &mb); err != nil {
		return nil, errorf(http.StatusBadRequest, 50109, "The request body contains invalid JSON: %v", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	it, apiErr := s.webhookInteraction(r)
	if apiErr != nil {
		return nil, apiErr
	}
	m, apiErr := buildMessage(mb, files, true)
	if apiErr != nil {
		return nil, apiErr
	}
	m.ID, m.ChannelID, m.AuthorID, m.Interaction, m.Ephemeral = s.nextID(), it.channel, s.opts.BotID, it.id, mb.Flags&64 != 0
	s.add(m)
	return messageJSON(m, s.opts.BotID), nil
}
