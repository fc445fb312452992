package discord

import "context"

// Start connects the bot (New) and registers its application commands;
// main calls it when VOCBOT_DISCORD_TOKEN is set. A failed registration
// is logged, not fatal: commands registered before keep working.
func Start(ctx context.Context, cfg Config) (*Bot, error) {
	b, err := New(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if err := b.RegisterCommands(ctx); err != nil {
		b.log.Warn("discord: could not register the application commands; /survey and the customer commands may be missing or outdated", "err", err)
	}
	mode := "gateway"
	if len(cfg.PublicKey) > 0 {
		mode = "http interactions"
	}
	b.log.Info("discord connected", "bot_user", b.UserID(), "mode", mode)
	return b, nil
}
