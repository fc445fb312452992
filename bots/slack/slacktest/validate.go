package slacktest

import (
	"encoding/json"
	"fmt"
	"unicode/utf8"
)

// Block Kit limits Slack enforces with invalid_blocks.
const (
	maxBlocks        = 50
	maxBlockID       = 255
	maxSectionText   = 3000
	maxSectionFields = 10
	maxFieldText     = 2000
	maxHeaderText    = 150
	maxActions       = 25
	maxContextElems  = 10
	maxButtonText    = 75
	maxButtonValue   = 2000
	maxActionID      = 255
	maxButtonURL     = 3000
)

const errBlocksFormat = "[ERROR] blocks must be a JSON array of objects"

// validateBlocks checks a blocks parameter the way Slack does for what
// vocbot sends, returning Slack-style messages ("[ERROR] … [json-pointer:…]");
// none means valid.
func validateBlocks(raw string) []string {
	var blocks []map[string]any
	if err := json.Unmarshal([]byte(raw), &blocks); err != nil {
		return []string{errBlocksFormat}
	}
	v := validator{blockIDs: map[string]bool{}, actionIDs: map[string]bool{}}
	if len(blocks) > maxBlocks {
		v.errorf("/blocks", "no more than %d items allowed", maxBlocks)
	}
	for i, b := range blocks {
		v.block(fmt.Sprintf("/blocks/%d", i), b)
	}
	return v.msgs
}

type validator struct {
	msgs      []string
	blockIDs  map[string]bool
	actionIDs map[string]bool
}

func (v *validator) errorf(ptr, format string, args ...any) {
	v.msgs = append(v.msgs, fmt.Sprintf("[ERROR] "+format+" [json-pointer:%s]", append(args, ptr)...))
}

func (v *validator) block(ptr string, b map[string]any) {
	if b == nil {
		v.errorf(ptr, "must be an object")
		return
	}
	if id, ok := b["block_id"]; ok {
		s, _ := id.(string)
		v.id(ptr+"/block_id", s, maxBlockID, v.blockIDs)
	}
	typ, _ := b["type"].(string)
	switch typ {
	case "section":
		text, hasText := b["text"]
		fields, hasFields := b["fields"].([]any)
		if !hasText && !hasFields {
			v.errorf(ptr, "must provide either 'text' or 'fields'")
		}
		if hasText {
			v.text(ptr+"/text", text, maxSectionText, false)
		}
		if len(fields) > maxSectionFields {
			v.errorf(ptr+"/fields", "no more than %d items allowed", maxSectionFields)
		}
		for i, f := range fields {
			v.text(fmt.Sprintf("%s/fields/%d", ptr, i), f, maxFieldText, false)
		}
	case "header":
		v.text(ptr+"/text", b["text"], maxHeaderText, true)
	case "actions":
		elems, _ := b["elements"].([]any)
		if len(elems) == 0 {
			v.errorf(ptr+"/elements", "must provide at least 1 item")
		}
		if len(elems) > maxActions {
			v.errorf(ptr+"/elements", "no more than %d items allowed", maxActions)
		}
		for i, e := range elems {
			v.element(fmt.Sprintf("%s/elements/%d", ptr, i), e)
		}
	case "context":
		elems, _ := b["elements"].([]any)
		if len(elems) == 0 || len(elems) > maxContextElems {
			v.errorf(ptr+"/elements", "must provide 1 to %d items", maxContextElems)
		}
	case "divider", "image", "rich_text", "markdown", "input", "file", "video":
	default:
		v.errorf(ptr+"/type", "unsupported type: %q", typ)
	}
}

func (v *validator) element(ptr string, raw any) {
	e, ok := raw.(map[string]any)
	if !ok {
		v.errorf(ptr, "must be an object")
		return
	}
	if id, ok := e["action_id"]; ok {
		s, _ := id.(string)
		v.id(ptr+"/action_id", s, maxActionID, v.actionIDs)
	}
	if e["type"] != "button" {
		return // other interactive elements are not faked in detail
	}
	v.text(ptr+"/text", e["text"], maxButtonText, true)
	if val, ok := e["value"]; ok {
		s, isString := val.(string)
		if !isString || utf8.RuneCountInString(s) > maxButtonValue {
			v.errorf(ptr+"/value", "must be a string of at most %d characters", maxButtonValue)
		}
	}
	if u, ok := e["url"].(string); ok && utf8.RuneCountInString(u) > maxButtonURL {
		v.errorf(ptr+"/url", "must be less than %d characters", maxButtonURL+1)
	}
	if st, ok := e["style"]; ok && st != "primary" && st != "danger" {
		v.errorf(ptr+"/style", "must be one of primary, danger")
	}
}

// text checks a text object: type plain_text (or mrkdwn unless plainOnly),
// 1..max characters.
func (v *validator) text(ptr string, raw any, max int, plainOnly bool) {
	t, ok := raw.(map[string]any)
	if !ok {
		v.errorf(ptr, "must be a text object")
		return
	}
	typ, _ := t["type"].(string)
	if typ != "plain_text" && (plainOnly || typ != "mrkdwn") {
		v.errorf(ptr+"/type", "must be a valid enum value")
	}
	s, _ := t["text"].(string)
	switch n := utf8.RuneCountInString(s); {
	case n == 0:
		v.errorf(ptr+"/text", "must be more than 0 characters")
	case n > max:
		v.errorf(ptr+"/text", "must be less than %d characters", max+1)
	}
}

// id checks a block_id or action_id: 1..max characters, unique in the message.
func (v *validator) id(ptr, s string, max int, seen map[string]bool) {
	switch {
	case s == "" || utf8.RuneCountInString(s) > max:
		v.errorf(ptr, "must be 1 to %d characters", max)
	case seen[s]:
		v.errorf(ptr, "must be unique within the message: %q", s)
	}
	seen[s] = true
}
