package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/vocbot/vocbot/surveys"
)

// Erasure: DELETE /v1/customers/{id} and vocbot forget, one storage call
// (Store.ForgetBy) that is audited as "api" or "cli".

func forgetCommand(ctx context.Context, env *environment, args []string) error {
	fs := newFlagSet(env, "forget", "--customer ID", "Erase a customer's personal data: name, language, time zone, linked chats, deep links,\n"+
		"comments and attributes, in one transaction. Scores are kept, anonymised, so totals do not\n"+
		"change; the customer's id is replaced by a pseudonym that nothing maps back, also in the\n"+
		"audit log, where the erasure is recorded. A later touchpoint for the same id starts afresh.")
	cfgPath := fs.String("config", "", "YAML configuration file (default $VOCBOT_CONFIG, else ./vocbot.yaml if present)")
	customer := fs.String("customer", "", "the customer's id in your systems, e.g. cus_42 (required)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("forget takes only flags, got %q", fs.Args())
	}
	if *customer == "" {
		return usagef("forget needs --customer, e.g. vocbot forget --customer cus_42")
	}
	if p := surveys.CustomerIDProblem(*customer); p != "" {
		return usagef("--customer %s", p)
	}
	st, err := openStack(ctx, env, *cfgPath)
	if err != nil {
		return err
	}
	defer st.Close()
	rep, err := st.store.ForgetBy(ctx, *customer, surveys.AuditEntry{Actor: "cli"})
	if errors.Is(err, surveys.ErrNotFound) {
		return fmt.Errorf("no customer %s (or they were forgotten already): check the id; nothing was erased", surveys.Quote(*customer))
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "forgot %s: now %s; erased %d comments, %d linked chats, %d link tokens, the attributes of %d touchpoints; cancelled %d scheduled surveys; kept %d scores\n",
		*customer, rep.Pseudonym, rep.CommentsErased, rep.IdentitiesDeleted, rep.LinkTokensDeleted, rep.TouchpointsCleared, rep.InvitationsCancelled, rep.Responses)
	return nil
}
