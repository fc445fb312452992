package discordtest

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"
)

// Discord's limits the fake enforces.
const (
	maxContent        = 2000
	maxEmbeds         = 10
	maxEmbedTotal     = 6000
	maxEmbedTitle     = 256
	maxEmbedDesc      = 4096
	maxEmbedFields    = 25
	maxFieldName      = 256
	maxFieldValue     = 1024
	maxFooter         = 2048
	maxRows           = 5
	maxRowButtons     = 5
	maxButtonLabel    = 80
	maxCustomID       = 100
	maxNonce          = 25
	maxModalTitle     = 45
	maxInputLabel     = 45
	maxPlaceholder    = 100
	maxInputLength    = 4000
	maxCommands       = 100
	maxOptions        = 25
	maxChoices        = 25
	maxCommandDesc    = 100
	maxChoiceName     = 100
	maxCommandPayload = 8000
)

// length is what Discord counts: characters.
func length(s string) int { return utf8.RuneCountInString(s) }

type embedJSON struct {
	Type        string `json:"type"`
	Title       string `json:"title"`
	Description string `json:"description"`
	URL         string `json:"url"`
	Color       int    `json:"color"`
	Timestamp   string `json:"timestamp"`
	Footer      *struct {
		Text string `json:"text"`
	} `json:"footer"`
	Image *struct {
		URL string `json:"url"`
	} `json:"image"`
	Author *struct {
		Name string `json:"name"`
	} `json:"author"`
	Fields []struct {
		Name   string `json:"name"`
		Value  string `json:"value"`
		Inline bool   `json:"inline"`
	} `json:"fields"`
}

// buildMessage checks a message body against Discord's limits and returns
// it as the fake stores it. create: a new message (it must not be empty).
func buildMessage(mb messageBody, files []File, create bool) (*Message, *apiError) {
	p := map[string]string{}
	m := &Message{Flags: mb.Flags, Files: files}
	if mb.Content != nil {
		m.Content = *mb.Content
		if n := length(m.Content); n > maxContent {
			p["content"] = fmt.Sprintf("Must be %d or fewer in length (got %d).", maxContent, n)
		}
	}
	if mb.Nonce != nil {
		var n string
		if err := json.Unmarshal(mb.Nonce, &n); err != nil || n == "" || length(n) > maxNonce {
			p["nonce"] = fmt.Sprintf("Must be a string of 1 to %d characters.", maxNonce)
		}
		m.Nonce = n
	}
	if mb.EnforceNonce && mb.Nonce == nil {
		p["enforce_nonce"] = "enforce_nonce needs a nonce."
	}
	if len(mb.Embeds) > maxEmbeds {
		p["embeds"] = fmt.Sprintf("Must be %d or fewer in length.", maxEmbeds)
	}
	total := 0
	for i, raw := range mb.Embeds {
		var e embedJSON
		if err := json.Unmarshal(raw, &e); err != nil {
			p[fmt.Sprintf("embeds.%d", i)] = "Not an embed."
			continue
		}
		at := func(f string) string { return fmt.Sprintf("embeds.%d.%s", i, f) }
		check := func(path, s string, max int) {
			if n := length(s); n > max {
				p[path] = fmt.Sprintf("Must be %d or fewer in length (got %d).", max, n)
			}
			total += length(s)
		}
		check(at("title"), e.Title, maxEmbedTitle)
		check(at("description"), e.Description, maxEmbedDesc)
		out := Embed{Title: e.Title, Description: e.Description, URL: e.URL, Color: e.Color, Timestamp: e.Timestamp}
		if e.Footer != nil {
			check(at("footer.text"), e.Footer.Text, maxFooter)
			out.Footer = e.Footer.Text
		}
		if e.Author != nil {
			check(at("author.name"), e.Author.Name, maxEmbedTitle)
		}
		if e.Image != nil {
			out.Image = e.Image.URL
			if name, ok := strings.CutPrefix(e.Image.URL, "attachment://"); ok && !hasFile(files, name) {
				p[at("image.url")] = "Refers to an attachment that was not uploaded."
			}
		}
		if len(e.Fields) > maxEmbedFields {
			p[at("fields")] = fmt.Sprintf("Must be %d or fewer in length.", maxEmbedFields)
		}
		for j, f := range e.Fields {
			if strings.TrimSpace(f.Name) == "" || strings.TrimSpace(f.Value) == "" {
				p[at(fmt.Sprintf("fields.%d", j))] = "Field name and value are required."
			}
			check(at(fmt.Sprintf("fields.%d.name", j)), f.Name, maxFieldName)
			check(at(fmt.Sprintf("fields.%d.value", j)), f.Value, maxFieldValue)
			out.Fields = append(out.Fields, Field{Name: f.Name, Value: f.Value, Inline: f.Inline})
		}
		m.Embeds = append(m.Embeds, out)
	}
	if total > maxEmbedTotal {
		p["embeds"] = fmt.Sprintf("Embed size exceeds maximum size of %d (got %d).", maxEmbedTotal, total)
	}
	if mb.Components != nil {
		m.Rows = checkRows(*mb.Components, "components", p, false)
	}
	for i, raw := range mb.Attachments {
		var a struct {
			ID       json.Number `json:"id"`
			Filename string      `json:"filename"`
		}
		if err := json.Unmarshal(raw, &a); err != nil || !hasFile(files, a.Filename) {
			p[fmt.Sprintf("attachments.%d", i)] = "Refers to a file that was not uploaded."
		}
	}
	if len(p) > 0 {
		return nil, invalidForm(p)
	}
	if create && strings.TrimSpace(m.Content) == "" && len(m.Embeds) == 0 && len(m.Rows) == 0 && len(files) == 0 {
		return nil, errEmptyMessage
	}
	return m, nil
}

func hasFile(files []File, name string) bool {
	for _, f := range files {
		if f.Name == name {
			return true
		}
	}
	return false
}

// checkRows validates message (or modal) components: action rows holding
// 1–5 buttons (or one text input in a modal) with unique custom_ids.
func checkRows(rows []map[string]any, path string, p map[string]string, modal bool) [][]Button {
	if len(rows) > maxRows {
		p[path] = fmt.Sprintf("Must be %d or fewer in length.", maxRows)
	}
	seen := map[string]bool{}
	var out [][]Button
	for i, row := range rows {
		at := fmt.Sprintf("%s.%d", path, i)
		if num(row["type"]) != 1 {
			p[at+".type"] = "Top-level components must be action rows (type 1)."
			continue
		}
		inner, _ := row["components"].([]any)
		if len(inner) == 0 || len(inner) > maxRowButtons || (modal && len(inner) != 1) {
			p[at+".components"] = fmt.Sprintf("Must be between 1 and %d in length.", maxRowButtons)
		}
		var buttons []Button
		for j, c := range inner {
			cat := fmt.Sprintf("%s.components.%d", at, j)
			comp, _ := c.(map[string]any)
			id, _ := comp["custom_id"].(string)
			label, _ := comp["label"].(string)
			switch t := num(comp["type"]); {
			case !modal && t == 2:
				style := num(comp["style"])
				if style < 1 || style > 5 {
					p[cat+".style"] = "Value must be one of {1, 2, 3, 4, 5}."
				}
				if style != 5 && (length(id) < 1 || length(id) > maxCustomID) {
					p[cat+".custom_id"] = fmt.Sprintf("Must be between 1 and %d in length.", maxCustomID)
				}
				if length(label) > maxButtonLabel {
					p[cat+".label"] = fmt.Sprintf("Must be %d or fewer in length.", maxButtonLabel)
				}
				disabled, _ := comp["disabled"].(bool)
				buttons = append(buttons, Button{Label: label, CustomID: id, Style: int(style), Disabled: disabled})
			case modal && t == 4:
				if length(id) < 1 || length(id) > maxCustomID {
					p[cat+".custom_id"] = fmt.Sprintf("Must be between 1 and %d in length.", maxCustomID)
				}
				if length(label) < 1 || length(label) > maxInputLabel {
					p[cat+".label"] = fmt.Sprintf("Must be between 1 and %d in length.", maxInputLabel)
				}
				if s := num(comp["style"]); s != 1 && s != 2 {
					p[cat+".style"] = "Value must be one of {1, 2}."
				}
				if ph, _ := comp["placeholder"].(string); length(ph) > maxPlaceholder {
					p[cat+".placeholder"] = fmt.Sprintf("Must be %d or fewer in length.", maxPlaceholder)
				}
				if ml := num(comp["max_length"]); ml > maxInputLength {
					p[cat+".max_length"] = fmt.Sprintf("Must be %d or less.", maxInputLength)
				}
				buttons = append(buttons, Button{Label: label, CustomID: id})
			default:
				p[cat+".type"] = "Component type not allowed here."
				continue
			}
			if id != "" && seen[id] {
				p[cat+".custom_id"] = "Component custom id cannot be duplicated."
			}
			seen[id] = true
		}
		out = append(out, buttons)
	}
	return out
}

func num(v any) float64 {
	f, _ := v.(float64)
	return f
}

var commandName = regexp.MustCompile(`^[-_\p{Ll}\p{Lo}\p{N}]{1,32}$`)

// validateCommands checks application commands as Discord does for a
// bulk overwrite: names, descriptions, options, choices, sizes.
func validateCommands(cmds []json.RawMessage) map[string]string {
	p := map[string]string{}
	if len(cmds) > maxCommands {
		p["_root"] = fmt.Sprintf("Must be %d or fewer in length.", maxCommands)
	}
	names := map[string]bool{}
	for i, raw := range cmds {
		at := fmt.Sprintf("%d", i)
		var c map[string]any
		if err := json.Unmarshal(raw, &c); err != nil {
			p[at] = "Not a command."
			continue
		}
		if len(raw) > maxCommandPayload {
			p[at] = "Command exceeds maximum size."
		}
		name, _ := c["name"].(string)
		if !commandName.MatchString(name) {
			p[at+".name"] = "Command name is invalid"
		}
		if names[name] {
			p[at+".name"] = "Application command names must be unique"
		}
		names[name] = true
		desc, _ := c["description"].(string)
		if length(desc) < 1 || length(desc) > maxCommandDesc {
			p[at+".description"] = fmt.Sprintf("Must be between 1 and %d in length.", maxCommandDesc)
		}
		opts, _ := c["options"].([]any)
		checkOptions(opts, at+".options", p, 0)
	}
	return p
}

func checkOptions(opts []any, path string, p map[string]string, depth int) {
	if len(opts) > maxOptions {
		p[path] = fmt.Sprintf("Must be %d or fewer in length.", maxOptions)
	}
	optional := false
	names := map[string]bool{}
	for i, o := range opts {
		at := fmt.Sprintf("%s.%d", path, i)
		opt, _ := o.(map[string]any)
		name, _ := opt["name"].(string)
		if !commandName.MatchString(name) || names[name] {
			p[at+".name"] = "Option name is invalid or repeated"
		}
		names[name] = true
		desc, _ := opt["description"].(string)
		if length(desc) < 1 || length(desc) > maxCommandDesc {
			p[at+".description"] = fmt.Sprintf("Must be between 1 and %d in length.", maxCommandDesc)
		}
		t := num(opt["type"])
		if t < 1 || t > 11 {
			p[at+".type"] = "Value must be a valid option type."
		}
		if t == 1 || t == 2 {
			if depth > 0 && t == 2 || depth > 1 {
				p[at+".type"] = "Subcommands nest at most group → subcommand."
			}
			inner, _ := opt["options"].([]any)
			checkOptions(inner, at+".options", p, depth+1)
			continue
		}
		required, _ := opt["required"].(bool)
		if required && optional {
			p[at+".required"] = "Required options must be placed before non-required options"
		}
		optional = optional || !required
		choices, _ := opt["choices"].([]any)
		if len(choices) > maxChoices {
			p[at+".choices"] = fmt.Sprintf("Must be %d or fewer in length.", maxChoices)
		}
		for j, ch := range choices {
			c, _ := ch.(map[string]any)
			cn, _ := c["name"].(string)
			if length(cn) < 1 || length(cn) > maxChoiceName {
				p[fmt.Sprintf("%s.choices.%d.name", at, j)] = fmt.Sprintf("Must be between 1 and %d in length.", maxChoiceName)
			}
		}
	}
}
