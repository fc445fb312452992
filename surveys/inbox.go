package surveys

import "context"

// Every adapter delivers into one Inbox, whatever the platform: answers and
// button presses go to Handle, /survey commands to Command. NewInbox builds
// the one vocbot runs: the Engine's conversation behind the alert desk's
// buttons, and one command router (NewCommands) for the alert commands and
// the ambassadors' commands. The router sees the platform, the user and
// their roles in every CommandRequest, so who may do what is decided here,
// the same way for every platform, and never in an adapter.

// NewCommands routes /survey commands: "reply a12 …" and "resolve a12 …" to
// the alert desk (acting only in the channel the alert was posted to),
// everything else to the ambassadors' desk (which checks Ambassadors.Allows
// with the request's platform, user id and roles). Text may be what follows
// a slash command or a whole message starting with "/survey"; a nil desk
// leaves its commands to the other one.
func NewCommands(alerts *AlertDesk, ambassadors *AmbassadorDesk) Commander {
	return commandRouter{alerts: alerts, ambassadors: ambassadors}
}

type commandRouter struct {
	alerts      *AlertDesk
	ambassadors *AmbassadorDesk
}

// Command runs req. The error is for vocbot's own failures; the adapter
// logs it and tells the user something went wrong on vocbot's side.
func (c commandRouter) Command(ctx context.Context, req CommandRequest) (CommandReply, error) {
	req.ID, req.From, req.Text = CleanText(req.ID), req.From.clean(), CleanText(req.Text)
	for i, r := range req.Roles {
		req.Roles[i] = CleanText(r)
	}
	text, _ := cutSurveyPrefix(trimMarks(req.Text))
	if c.alerts != nil && IsAlertCommand(text) {
		reply, err := c.alerts.Command(ctx, req.From, text)
		return CommandReply{Text: reply}, err
	}
	if c.ambassadors == nil {
		return CommandReply{Text: Refusal}, nil
	}
	return c.ambassadors.Run(ctx, req)
}

// NewInbox is where every adapter delivers: presses of alert buttons to
// the alert desk, other messages and presses to conversation (the Engine),
// commands to NewCommands(alerts, ambassadors). alerts may be nil.
func NewInbox(conversation Handler, alerts *AlertDesk, ambassadors *AmbassadorDesk) Inbox {
	h := conversation
	if alerts != nil {
		h = alerts.Route(conversation)
	}
	return inbox{Handler: h, Commander: NewCommands(alerts, ambassadors)}
}

type inbox struct {
	Handler
	Commander
}
