-- ---------------------------------------------------------------------------
-- Shipped default prices (workspace_id NULL, shipped = true), in $ per 1M tokens.
--
-- Figures: the providers' public list prices (standard / paid tier, no batch
-- discount) as of 2025-11-26, from
--   OpenAI     https://openai.com/api/pricing/ (platform.openai.com/docs/pricing)
--   Anthropic  https://docs.anthropic.com/en/docs/about-claude/pricing
--              (cache_read = 0.1 x input, cache_creation = 5-minute cache write = 1.25 x input)
--   Google     https://ai.google.dev/gemini-api/docs/pricing (cache_read = context caching)
-- Prices change: a workspace overrides an entry by adding its own; a change
-- for everyone is a new default row with an activation_date (see o3).
-- Detail prices equal to the side's price (reasoning) only split the cost out.
-- Patterns accept provider prefixes (openai/, anthropic., models/, ...) and
-- dated snapshots; they are anchored so that gpt-4o does not price gpt-4o-mini.
-- One row per line, so that diffs stay readable.
-- ---------------------------------------------------------------------------
INSERT INTO lsbilling.model_prices (name, match_pattern, provider, activation_date, input_price,
	output_price, input_price_details, output_price_details, tiers, shipped) VALUES
 ('gpt-4o', '(?i)^(openai/|azure/)?gpt-4o(-\d{4}-\d{2}-\d{2})?$', NULL, NULL, 2.50, 10.00, '{"cache_read": 1.25}', '{}', '[]', true),
 ('gpt-4o-2024-05-13', '(?i)^(openai/|azure/)?gpt-4o-2024-05-13$', NULL, NULL, 5.00, 15.00, '{}', '{}', '[]', true),
 ('gpt-4o-mini', '(?i)^(openai/|azure/)?gpt-4o-mini(-\d{4}-\d{2}-\d{2})?$', NULL, NULL, 0.15, 0.60, '{"cache_read": 0.075}', '{}', '[]', true),
 ('gpt-4o-audio-preview', '(?i)^(openai/|azure/)?gpt-4o-audio-preview(-\d{4}-\d{2}-\d{2})?$', NULL, NULL, 2.50, 10.00, '{"audio": 40.0}', '{"audio": 80.0}', '[]', true),
 ('gpt-4o-mini-audio-preview', '(?i)^(openai/|azure/)?gpt-4o-mini-audio-preview(-\d{4}-\d{2}-\d{2})?$', NULL, NULL, 0.15, 0.60, '{"audio": 10.0}', '{"audio": 20.0}', '[]', true),
 ('gpt-4o-realtime-preview', '(?i)^(openai/|azure/)?gpt-4o-realtime-preview(-\d{4}-\d{2}-\d{2})?$', NULL, NULL, 5.00, 20.00, '{"cache_read": 2.5, "audio": 40.0}', '{"audio": 80.0}', '[]', true),
 ('gpt-4.1', '(?i)^(openai/|azure/)?gpt-4\.1(-\d{4}-\d{2}-\d{2})?$', NULL, NULL, 2.00, 8.00, '{"cache_read": 0.5}', '{}', '[]', true),
 ('gpt-4.1-mini', '(?i)^(openai/|azure/)?gpt-4\.1-mini(-\d{4}-\d{2}-\d{2})?$', NULL, NULL, 0.40, 1.60, '{"cache_read": 0.1}', '{}', '[]', true),
 ('gpt-4.1-nano', '(?i)^(openai/|azure/)?gpt-4\.1-nano(-\d{4}-\d{2}-\d{2})?$', NULL, NULL, 0.10, 0.40, '{"cache_read": 0.025}', '{}', '[]', true),
 ('gpt-5', '(?i)^(openai/|azure/)?gpt-5(-\d{4}-\d{2}-\d{2})?$', NULL, NULL, 1.25, 10.00, '{"cache_read": 0.125}', '{"reasoning": 10.0}', '[]', true),
 ('gpt-5-mini', '(?i)^(openai/|azure/)?gpt-5-mini(-\d{4}-\d{2}-\d{2})?$', NULL, NULL, 0.25, 2.00, '{"cache_read": 0.025}', '{"reasoning": 2.0}', '[]', true),
 ('gpt-5-nano', '(?i)^(openai/|azure/)?gpt-5-nano(-\d{4}-\d{2}-\d{2})?$', NULL, NULL, 0.05, 0.40, '{"cache_read": 0.005}', '{"reasoning": 0.4}', '[]', true),
 ('o1', '(?i)^(openai/|azure/)?o1(-\d{4}-\d{2}-\d{2})?$', NULL, NULL, 15.00, 60.00, '{"cache_read": 7.5}', '{"reasoning": 60.0}', '[]', true),
 ('o1-mini', '(?i)^(openai/|azure/)?o1-mini(-\d{4}-\d{2}-\d{2})?$', NULL, NULL, 1.10, 4.40, '{"cache_read": 0.55}', '{"reasoning": 4.4}', '[]', true),
 ('o3 (launch price)', '(?i)^(openai/|azure/)?o3(-\d{4}-\d{2}-\d{2})?$', NULL, NULL, 10.00, 40.00, '{"cache_read": 2.5}', '{"reasoning": 40.0}', '[]', true),
 ('o3', '(?i)^(openai/|azure/)?o3(-\d{4}-\d{2}-\d{2})?$', NULL, '2025-06-10 00:00:00+00', 2.00, 8.00, '{"cache_read": 0.5}', '{"reasoning": 8.0}', '[]', true),
 ('o3-mini', '(?i)^(openai/|azure/)?o3-mini(-\d{4}-\d{2}-\d{2})?$', NULL, NULL, 1.10, 4.40, '{"cache_read": 0.55}', '{"reasoning": 4.4}', '[]', true),
 ('o4-mini', '(?i)^(openai/|azure/)?o4-mini(-\d{4}-\d{2}-\d{2})?$', NULL, NULL, 1.10, 4.40, '{"cache_read": 0.275}', '{"reasoning": 4.4}', '[]', true),
 ('gpt-4-turbo', '(?i)^(openai/|azure/)?gpt-4-turbo(-\d{4}-\d{2}-\d{2}|-preview)?$', NULL, NULL, 10.00, 30.00, '{}', '{}', '[]', true),
 ('gpt-4', '(?i)^(openai/|azure/)?gpt-4(-0613|-0314)?$', NULL, NULL, 30.00, 60.00, '{}', '{}', '[]', true),
 ('gpt-3.5-turbo', '(?i)^(openai/|azure/)?gpt-3\.5-turbo(-0125|-1106)?$', NULL, NULL, 0.50, 1.50, '{}', '{}', '[]', true),
 ('text-embedding-3-small', '(?i)^(openai/|azure/)?text-embedding-3-small$', NULL, NULL, 0.02, 0, '{}', '{}', '[]', true),
 ('text-embedding-3-large', '(?i)^(openai/|azure/)?text-embedding-3-large$', NULL, NULL, 0.13, 0, '{}', '{}', '[]', true),
 ('text-embedding-ada-002', '(?i)^(openai/|azure/)?text-embedding-ada-002$', NULL, NULL, 0.10, 0, '{}', '{}', '[]', true),
 ('claude-3-haiku', '(?i)^(anthropic[/.]|(us|eu|apac)\.anthropic\.|bedrock/|vertex_ai/)?claude-3-haiku(-\d{8}|-latest)?(-v\d+(:\d+)?|@\d{8})?$', NULL, NULL, 0.25, 1.25, '{"cache_read": 0.03, "cache_creation": 0.3}', '{}', '[]', true),
 ('claude-3-sonnet', '(?i)^(anthropic[/.]|(us|eu|apac)\.anthropic\.|bedrock/|vertex_ai/)?claude-3-sonnet(-\d{8}|-latest)?(-v\d+(:\d+)?|@\d{8})?$', NULL, NULL, 3.00, 15.00, '{"cache_read": 0.3, "cache_creation": 3.75}', '{}', '[]', true),
 ('claude-3-opus', '(?i)^(anthropic[/.]|(us|eu|apac)\.anthropic\.|bedrock/|vertex_ai/)?claude-3-opus(-\d{8}|-latest)?(-v\d+(:\d+)?|@\d{8})?$', NULL, NULL, 15.00, 75.00, '{"cache_read": 1.5, "cache_creation": 18.75}', '{}', '[]', true),
 ('claude-3.5-haiku', '(?i)^(anthropic[/.]|(us|eu|apac)\.anthropic\.|bedrock/|vertex_ai/)?claude-3[-.]5-haiku(-\d{8}|-latest)?(-v\d+(:\d+)?|@\d{8})?$', NULL, NULL, 0.80, 4.00, '{"cache_read": 0.08, "cache_creation": 1.0}', '{}', '[]', true),
 ('claude-3.5-sonnet', '(?i)^(anthropic[/.]|(us|eu|apac)\.anthropic\.|bedrock/|vertex_ai/)?claude-3[-.]5-sonnet(-\d{8}|-latest)?(-v\d+(:\d+)?|@\d{8})?$', NULL, NULL, 3.00, 15.00, '{"cache_read": 0.3, "cache_creation": 3.75}', '{}', '[]', true),
 ('claude-3.7-sonnet', '(?i)^(anthropic[/.]|(us|eu|apac)\.anthropic\.|bedrock/|vertex_ai/)?claude-3[-.]7-sonnet(-\d{8}|-latest)?(-v\d+(:\d+)?|@\d{8})?$', NULL, NULL, 3.00, 15.00, '{"cache_read": 0.3, "cache_creation": 3.75}', '{}', '[]', true),
 ('claude-sonnet-4', '(?i)^(anthropic[/.]|(us|eu|apac)\.anthropic\.|bedrock/|vertex_ai/)?claude-(sonnet-4|4-sonnet)(-0)?(-\d{8}|-latest)?(-v\d+(:\d+)?|@\d{8})?$', NULL, NULL, 3.00, 15.00, '{"cache_read": 0.3, "cache_creation": 3.75}', '{}', '[{"input_tokens_above": 200000, "input_price": 6.0, "output_price": 22.5, "input_price_details": {"cache_read": 0.6, "cache_creation": 7.5}}]', true),
 ('claude-opus-4', '(?i)^(anthropic[/.]|(us|eu|apac)\.anthropic\.|bedrock/|vertex_ai/)?claude-(opus-4|4-opus)(-0)?(-\d{8}|-latest)?(-v\d+(:\d+)?|@\d{8})?$', NULL, NULL, 15.00, 75.00, '{"cache_read": 1.5, "cache_creation": 18.75}', '{}', '[]', true),
 ('claude-opus-4.1', '(?i)^(anthropic[/.]|(us|eu|apac)\.anthropic\.|bedrock/|vertex_ai/)?claude-(opus-4-1|4-1-opus|opus-4\.1)(-\d{8}|-latest)?(-v\d+(:\d+)?|@\d{8})?$', NULL, NULL, 15.00, 75.00, '{"cache_read": 1.5, "cache_creation": 18.75}', '{}', '[]', true),
 ('claude-sonnet-4.5', '(?i)^(anthropic[/.]|(us|eu|apac)\.anthropic\.|bedrock/|vertex_ai/)?claude-(sonnet-4-5|4-5-sonnet|sonnet-4\.5)(-\d{8}|-latest)?(-v\d+(:\d+)?|@\d{8})?$', NULL, NULL, 3.00, 15.00, '{"cache_read": 0.3, "cache_creation": 3.75}', '{}', '[{"input_tokens_above": 200000, "input_price": 6.0, "output_price": 22.5, "input_price_details": {"cache_read": 0.6, "cache_creation": 7.5}}]', true),
 ('claude-haiku-4.5', '(?i)^(anthropic[/.]|(us|eu|apac)\.anthropic\.|bedrock/|vertex_ai/)?claude-(haiku-4-5|4-5-haiku|haiku-4\.5)(-\d{8}|-latest)?(-v\d+(:\d+)?|@\d{8})?$', NULL, NULL, 1.00, 5.00, '{"cache_read": 0.1, "cache_creation": 1.25}', '{}', '[]', true),
 ('claude-opus-4.5', '(?i)^(anthropic[/.]|(us|eu|apac)\.anthropic\.|bedrock/|vertex_ai/)?claude-(opus-4-5|4-5-opus|opus-4\.5)(-\d{8}|-latest)?(-v\d+(:\d+)?|@\d{8})?$', NULL, NULL, 5.00, 25.00, '{"cache_read": 0.5, "cache_creation": 6.25}', '{}', '[]', true),
 ('gemini-2.5-pro', '(?i)^(google/|models/|gemini/|vertex_ai/|google_genai/)?gemini-2\.5-pro(-preview-\d{2}-\d{2}|-exp-\d{2}-\d{2})?$', NULL, NULL, 1.25, 10.00, '{"cache_read": 0.125}', '{"reasoning": 10.0}', '[{"input_tokens_above": 200000, "input_price": 2.5, "output_price": 15.0, "input_price_details": {"cache_read": 0.25}, "output_price_details": {"reasoning": 15.0}}]', true),
 ('gemini-2.5-flash', '(?i)^(google/|models/|gemini/|vertex_ai/|google_genai/)?gemini-2\.5-flash(-preview-\d{2}-\d{2}(-\d{4})?|-\d{3})?$', NULL, NULL, 0.30, 2.50, '{"cache_read": 0.03, "audio": 1.0}', '{"reasoning": 2.5}', '[]', true),
 ('gemini-2.5-flash-lite', '(?i)^(google/|models/|gemini/|vertex_ai/|google_genai/)?gemini-2\.5-flash-lite(-preview-\d{2}-\d{2}(-\d{4})?|-\d{3})?$', NULL, NULL, 0.10, 0.40, '{"cache_read": 0.01, "audio": 0.3}', '{"reasoning": 0.4}', '[]', true),
 ('gemini-2.0-flash', '(?i)^(google/|models/|gemini/|vertex_ai/|google_genai/)?gemini-2\.0-flash(-\d{3}|-exp)?$', NULL, NULL, 0.10, 0.40, '{"cache_read": 0.025, "audio": 0.7}', '{}', '[]', true),
 ('gemini-2.0-flash-lite', '(?i)^(google/|models/|gemini/|vertex_ai/|google_genai/)?gemini-2\.0-flash-lite(-\d{3})?$', NULL, NULL, 0.075, 0.30, '{}', '{}', '[]', true),
 ('gemini-1.5-pro', '(?i)^(google/|models/|gemini/|vertex_ai/|google_genai/)?gemini-1\.5-pro(-\d{3}|-latest)?$', NULL, NULL, 1.25, 5.00, '{}', '{}', '[{"input_tokens_above": 128000, "input_price": 2.5, "output_price": 10.0}]', true),
 ('gemini-1.5-flash', '(?i)^(google/|models/|gemini/|vertex_ai/|google_genai/)?gemini-1\.5-flash(-\d{3}|-latest)?$', NULL, NULL, 0.075, 0.30, '{}', '{}', '[{"input_tokens_above": 128000, "input_price": 0.15, "output_price": 0.6}]', true),
 ('gemini-3-pro-preview', '(?i)^(google/|models/|gemini/|vertex_ai/|google_genai/)?gemini-3-pro(-preview(-\d{2}-\d{2})?)?$', NULL, NULL, 2.00, 12.00, '{"cache_read": 0.2}', '{"reasoning": 12.0}', '[{"input_tokens_above": 200000, "input_price": 4.0, "output_price": 18.0, "input_price_details": {"cache_read": 0.4}, "output_price_details": {"reasoning": 18.0}}]', true);
