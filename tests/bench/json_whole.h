/* Configuration of the JSON benchmark: a token array large enough to hold
 * the whole 20,000-VM list, for the whole-buffer side of the comparison
 * (the streaming side needs only the default 256 tokens per element). */
#define TT_JSON_MAX_TOKENS 600000
