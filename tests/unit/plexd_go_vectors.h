/*
 * Envelopes signed by an independent signer: Go's crypto/ed25519 with the
 * RFC 8032 TEST 1 key (TEST 2 as the rotated key), canonical bytes made by
 * Go's encoding/json as plexd's agent makes them, and the result Go's
 * verifier (internal/api/verifier.go, in its order) gave for each, at
 * 2026-12-04T10:02:00Z, in this sequence, by one verifier. Made with
 * Debian's golang-go (1.19); recorded so the unit tests need no Go.
 *
 * expect: "" accepted, "MALFORMED" refused before verification, else the
 * reason. Three rows differ from what Go printed, on purpose (see them).
 */
typedef struct go_vector {
    const char *name;
    const char *wire;
    const char *expect;
} go_vector;

static const go_vector go_vectors[] = {
    { "V1 baseline",
      "{\"event_type\":\"peer_added\",\"event_id\":\"evt-1\",\"issued_at\":\"2026-12-04T10:00:00Z\",\"nonce\":\"n-1\",\"payload\":{\"peer_id\":\"node-1\"},\"signature\":\"j2YLEv6xE0RvGVz/jAVZu+TPtyKSj+ka32WGVJZHAB5iIsv7/46Wy5U3RTIpeGtLJo1grAyhZZBKQj6/tngaBw==\"}",
      "" },
    { "V2 trailing fraction zeros",
      "{\"event_type\":\"peer_added\",\"event_id\":\"evt-2\",\"issued_at\":\"2026-12-04T10:00:00.120000Z\",\"nonce\":\"n-2\",\"payload\":{},\"signature\":\"QU262ATF4pXI5+zp4E7SLdoyZwtqc4o9wsqpAHeSax875licwk1WnnxkIZBOhczCRd7ZyCbnsJh2RbpYRgacCA==\"}",
      "" },
    { "V2b signed over the verbatim issued_at text",
      "{\"event_type\":\"peer_added\",\"event_id\":\"evt-2b\",\"issued_at\":\"2026-12-04T10:00:00.120000Z\",\"nonce\":\"n-2b\",\"payload\":{},\"signature\":\"KpBUZOjUjU1k0fVObo1hFMK7nejZG+eVQcfhS8AIYxgeGk+sMAa53gFKo9S2ek7Wz5hv5FGPVXp7CPh1TFRpAg==\"}",
      "signature verification failed" },
    { "V3 +00:00 becomes Z",
      "{\"event_type\":\"peer_added\",\"event_id\":\"evt-3\",\"issued_at\":\"2026-12-04T10:00:00+00:00\",\"nonce\":\"n-3\",\"payload\":null,\"signature\":\"PjT7AwWrP+S2RxdJENZJmg8nReHwwzuvoV9c2eg8bpQgcxn2CXPMtg9rmWl5EYN+X4HtXpTHTNrgzcdwX+p3DA==\"}",
      "" },
    { "V3b -00:00 becomes Z",
      "{\"event_type\":\"peer_added\",\"event_id\":\"evt-3b\",\"issued_at\":\"2026-12-04T10:00:00-00:00\",\"nonce\":\"n-3b\",\"signature\":\"IF4tZH8fKUiQwO/Mcp1y2/5awYZscCuDMplVpEygn8S09kLitHnlm3LC0N/bFY+78vkMJy4JtMFNMUCSZ8RKCg==\"}",
      "" },
    { "V4 +02:00 kept",
      "{\"event_type\":\"peer_added\",\"event_id\":\"evt-4\",\"issued_at\":\"2026-12-04T12:00:00.5+02:00\",\"nonce\":\"n-4\",\"payload\":[],\"signature\":\"vdFIk8UBn0TenTO86Qpzom//7Y6y/3aanjJMhkXEWPePLC9tH31p1y29n/KxbnJWY6e9cX18IT9HXVLp5mLgDg==\"}",
      "" },
    { "V5 payload compacted, HTML escaped, order and numbers kept",
      "{\"event_type\":\"policy_updated\",\"event_id\":\"evt-5\",\"issued_at\":\"2026-12-04T10:00:00Z\",\"nonce\":\"n-5\",\"payload\":{ \"z\" : 1.50, \"a\" : [ 1e2 , -0 ],\n  \"cmd\" : \"a<b && c>d\", \"ls\":\"x\342\200\250y\", \"esc\":\"\\u003c\\/\" },\"signature\":\"FmJHJYXjouCRW8V0dUMjJT0nTE+wF+iKjEnusBX5NLROB7cHF/ttdQXLsJ0eqNGSBsyY2AJquasDGpOQpVEVBA==\"}",
      "" },
    { "V6 string fields decoded then re-encoded",
      "{\"event_type\":\"peer_added\",\"event_id\":\"evt\\u002d6 <&> \\u00e9\\/\",\"issued_at\":\"2026-12-04T10:00:00Z\",\"nonce\":\"n\\\"6\\\\\",\"payload\":{},\"signature\":\"Ua02AXXCy+zurNSa4CwsUiwe35dvXWP4GP2XpiZTDrN4LVj9tB/7HOhs7f58fW+nUGEdawUjGRP3UY7OsKYrDg==\"}",
      "" },
    { "V7 more than 9 fraction digits truncated",
      "{\"event_type\":\"peer_added\",\"event_id\":\"evt-7\",\"issued_at\":\"2026-12-04T10:00:00.1234567891Z\",\"nonce\":\"n-7\",\"payload\":{},\"signature\":\"+RrwRMNlCtFoaq3Ja7LAXK7q/64oEICs8rHLTW6NqJhLXg2s2hP5EUlir6P4TFBYDDlK4ojB8xv0CkabhPyKAA==\"}",
      "" },
    { "V8 missing nonce",
      "{\"event_type\":\"peer_added\",\"event_id\":\"evt-8\",\"issued_at\":\"2026-12-04T10:00:00Z\",\"payload\":{},\"signature\":\"jYzxvbU106dH/3CTUYYhvnmrkd3C/T+dPEBiX8HDv85QsigmgAXtrrB86buO639eFINq/ZpeebIwTNYtsFzbBQ==\"}",
      "missing nonce" },
    { "V9 exactly 5 min old",
      "{\"event_type\":\"peer_added\",\"event_id\":\"evt-9\",\"issued_at\":\"2026-12-04T09:57:00Z\",\"nonce\":\"n-9\",\"payload\":{},\"signature\":\"A+K35tcSa8lju7tDxKTRcgHa8yBPNK2cfLQJp+R3pAcx9oiGMOdakpnmQDjQp1gujeq40DgTfuVkQcNHYrE2DQ==\"}",
      "" },
    { "V9b 5 min + 1 ns old",
      "{\"event_type\":\"peer_added\",\"event_id\":\"evt-9b\",\"issued_at\":\"2026-12-04T09:56:59.999999999Z\",\"nonce\":\"n-9b\",\"payload\":{},\"signature\":\"NerStQSlqpgfLQ+DOliZep3hU/QSKcIoDlkwbICOWLozfeMPRhyL8BvsGSgS37tcsdT0VlLHAXlItQuwbLPUCw==\"}",
      "event is stale" },
    { "V10 exactly 5 min ahead",
      "{\"event_type\":\"peer_added\",\"event_id\":\"evt-10\",\"issued_at\":\"2026-12-04T10:07:00Z\",\"nonce\":\"n-10\",\"payload\":{},\"signature\":\"hZ6rsQff8C8Cg+0RA6S5inVEXJHuaVCiuo8s/f/lb5b/6tIsma8w3Z7laeCID5Xtmhhv4IYIQ1rORDfhS/e9AQ==\"}",
      "" },
    { "V10b 5 min + 1 ns ahead",
      "{\"event_type\":\"peer_added\",\"event_id\":\"evt-10b\",\"issued_at\":\"2026-12-04T10:07:00.000000001Z\",\"nonce\":\"n-10b\",\"payload\":{},\"signature\":\"wUFWXdNOABNG0qapzMuL/KRx8EY6PzzDoJxi8VPuPMCBUaHfzM8RpTYs6Bnv/cKxCePNFYyosMQSp99LQd2IAA==\"}",
      "event timestamp is in the future" },
    { "V11 replayed nonce n-1 (new event_id, fresh signature)",
      "{\"event_type\":\"peer_added\",\"event_id\":\"evt-11\",\"issued_at\":\"2026-12-04T10:01:00Z\",\"nonce\":\"n-1\",\"payload\":{},\"signature\":\"cEFCotCi8OC5BIaylOvtYZ3NCfmBpXM/Yb42oqPOe211vYM2MBPFjG9OTjS8hKESgYkBo/+2LQRfsssUtuJKCw==\"}",
      "duplicate nonce" },
    { "V11b forged (wrong key) with nonce n-11",
      "{\"event_type\":\"peer_added\",\"event_id\":\"evt-11b\",\"issued_at\":\"2026-12-04T10:01:00Z\",\"nonce\":\"n-11\",\"payload\":{},\"signature\":\"rbIOtrvwXEVu5Egul8freefI920iRFTosgd+M4pAzejUMODKKz0V3N2Oh0ixxTP2NahWSmSuvsyorIsYZGaYDw==\"}",
      "signature verification failed" },
    { "V11c the real n-11 afterwards",
      "{\"event_type\":\"peer_added\",\"event_id\":\"evt-11b\",\"issued_at\":\"2026-12-04T10:01:00Z\",\"nonce\":\"n-11\",\"payload\":{},\"signature\":\"dz5kYoOccbV8QwTIxq82/vAfiSF3/rjj1eWpXwxHl7u3/G0GrWV4RzsoG1tcdU721sT0vpr8Ee7xIGl2EfoPBQ==\"}",
      "" },
    { "V12 lowercase t",
      "{\"event_type\":\"peer_added\",\"event_id\":\"evt-12\",\"issued_at\":\"2026-12-04t10:00:00Z\",\"nonce\":\"n-12\",\"payload\":{},\"signature\":\"5VZDAMNgrHKQhuLMgG6CioSHfx645dl02HPgZSJJAVVfuIIVkKM7rMYeOXAc+bRr0lv18FlbviRlUUFDjnoQCw==\"}",
      "MALFORMED" },
    { "V12b lowercase z",
      "{\"event_type\":\"peer_added\",\"event_id\":\"evt-12b\",\"issued_at\":\"2026-12-04T10:00:00z\",\"nonce\":\"n-12b\",\"payload\":{},\"signature\":\"5VZDAMNgrHKQhuLMgG6CioSHfx645dl02HPgZSJJAVVfuIIVkKM7rMYeOXAc+bRr0lv18FlbviRlUUFDjnoQCw==\"}",
      "MALFORMED" },
    { "V12c leap second",
      "{\"event_type\":\"peer_added\",\"event_id\":\"evt-12c\",\"issued_at\":\"2026-12-04T09:59:60Z\",\"nonce\":\"n-12c\",\"payload\":{},\"signature\":\"5VZDAMNgrHKQhuLMgG6CioSHfx645dl02HPgZSJJAVVfuIIVkKM7rMYeOXAc+bRr0lv18FlbviRlUUFDjnoQCw==\"}",
      "MALFORMED" },
    { "V12d comma fraction, 1-digit hour",
      "{\"event_type\":\"peer_added\",\"event_id\":\"evt-12d\",\"issued_at\":\"2026-12-04T9:59:59,5Z\",\"nonce\":\"n-12d\",\"payload\":{},\"signature\":\"/jzpZMr4MT9zDhJEfUJ6YlaqYiiqjxmuxNvYHflToEX3J6vZg+q2pA0cLKbiThrj4j/33M0cbBPM1gxu/X3qCA==\"}",
      "" },
    { "V12e escaped char inside issued_at: Go reads the raw text and refuses it; "
      "tether reads Z, and the signature (over nothing) fails",
      "{\"event_type\":\"peer_added\",\"event_id\":\"evt-12e\",\"issued_at\":\"2026-12-04T10:00:00\\u005a\",\"nonce\":\"n-12e\",\"payload\":{},\"signature\":\"5VZDAMNgrHKQhuLMgG6CioSHfx645dl02HPgZSJJAVVfuIIVkKM7rMYeOXAc+bRr0lv18FlbviRlUUFDjnoQCw==\"}",
      "signature verification failed" },
    { "V13 offset +24:00: Go 1.19 writes it back; Go 1.20 and later refuse to, "
      "as tether does",
      "{\"event_type\":\"peer_added\",\"event_id\":\"evt-13\",\"issued_at\":\"2026-12-05T10:00:00+24:00\",\"nonce\":\"n-13\",\"payload\":{},\"signature\":\"C8eObtAfR69Gkkj0GvhKEiqg2lsDBTIGm6zKSIMz6wu0njy3lQ3Gi4W3O46TSc/DuYXdyedTC9kOHs2UuSDlDw==\"}",
      "signature verification failed (issued_at cannot be written)" },
    { "V15 names in other case, nonce twice: Go matches names in any case and "
      "keeps the last; tether finds no event_type",
      "{\"EVENT_TYPE\":\"peer_added\",\"Event_Id\":\"evt-15\",\"issued_at\":\"2026-12-04T10:00:00Z\",\"nonce\":\"first\",\"NONCE\":\"n-15\",\"payload\":{\"x\":1},\"key_id\":\"k-1\",\"signature\":\"rzu8Unyn+DDulu0DbEziiadfcEYj6y4QX700mbDYL1FELBvRR49uwuObWqN2jDVO5/FMsewzdy78d040h9jrBg==\"}",
      "MALFORMED" },
    { "V16 signature with \\r\\n escapes inside (StdEncoding skips CR/LF)",
      "{\"event_type\":\"peer_added\",\"event_id\":\"evt-16\",\"issued_at\":\"2026-12-04T10:00:00Z\",\"nonce\":\"n-16\",\"payload\":{},\"signature\":\"8tYMfouGud3CMwqXfiQX\\r\\nxiz7oNbFnFyc/0HRCaJdWDXXIUcraStxmxTz3Q6faR8HI8PfJMpIFSn+LBQk/3uSBA==\"}",
      "" },
    { "V16b unpadded base64 signature",
      "{\"event_type\":\"peer_added\",\"event_id\":\"evt-16\",\"issued_at\":\"2026-12-04T10:00:00Z\",\"nonce\":\"n-16\",\"payload\":{},\"signature\":\"8tYMfouGud3CMwqXfiQXxiz7oNbFnFyc/0HRCaJdWDXXIUcraStxmxTz3Q6faR8HI8PfJMpIFSn+LBQk/3uSBA\"}",
      "signature verification failed" },
    { "V14 signing_key_rotated signed with the current key",
      "{\"event_type\":\"signing_key_rotated\",\"event_id\":\"evt-14\",\"issued_at\":\"2026-12-04T10:01:30Z\",\"nonce\":\"n-14\",\"payload\":{\"current\":\"PUAXw+hDiVqStwqnTRt+vJyYLM8uxJaMwM1V8Sr0Zgw=\",\"previous\":\"11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\",\"transition_expires\":\"2026-12-04T10:03:30Z\"},\"signature\":\"XqgsdygaRTEVVHUhqxA1KNigWBvTwUGCjdPKyna+qUrAykeupU/5XcK/SmASo9opngf7ElA3ekwiwoquY+3JBg==\"}",
      "" },
    { "V14b old key, before transition_expires (now 10:02:00)",
      "{\"event_type\":\"peer_added\",\"event_id\":\"evt-14b\",\"issued_at\":\"2026-12-04T10:02:00Z\",\"nonce\":\"n-14b\",\"payload\":{},\"signature\":\"xUDaZG4zaHdnwo/8FTOrQQUqg4SNxbya74ETn0p1y4NSVQ+WPvdTVOKNkaLSLqWRYe4V28tm/H6fuTFz4TlPCQ==\"}",
      "" },
    { "V14c old key at now = transition_expires (10:03:30)",
      "{\"event_type\":\"peer_added\",\"event_id\":\"evt-14c\",\"issued_at\":\"2026-12-04T10:03:30Z\",\"nonce\":\"n-14c\",\"payload\":{},\"signature\":\"ZpPGxITYkVEx1epRgzhde/M1Ubr+OuoYiDYPfefMB+YNrTrxA2DTgifhiR7qvXxhQsAY9FixLN8tJuWZTFhJCw==\"}",
      "signature verification failed" },
    { "V14d same event signed with the new key",
      "{\"event_type\":\"peer_added\",\"event_id\":\"evt-14c\",\"issued_at\":\"2026-12-04T10:03:30Z\",\"nonce\":\"n-14c\",\"payload\":{},\"signature\":\"/eY2tZccuRBcBmJmjvRMJPKQbtTsYPZgyYf8GEjaUrHjkybKodJyZLZvR8F8L2eYyvySMd9mc59sXrmHd6OABA==\"}",
      "" },
    { "V14e old key when the rotation had no transition_expires",
      "{\"event_type\":\"peer_added\",\"event_id\":\"evt-14e\",\"issued_at\":\"2026-12-04T10:02:00Z\",\"nonce\":\"n-14e\",\"payload\":{},\"signature\":\"PO7B2l4Pdtbxu3z22hi1KvT4YkTuEflkhtZstjkG70o7ptWFhIpKjwmYqs18Ocs/UmnxCRAhskdRJbWGWfBMDg==\"}",
      "signature verification failed" },

};
