/* SPDX-License-Identifier: MIT */
/*
 * fuzz_dns - libFuzzer harness for the DNS parser and tracker.  The input
 * is one DNS message: it is parsed and rendered (QueryResults,
 * QueryStatus), then fed to a tracker as a UDP query and answer and as TCP
 * stream bytes cut at a place the first byte chooses, so the reassembly
 * sees hostile lengths too.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dns/dns.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dns_msg m;
	static char out[DNS_RESULTS_MAX];
	struct dns_track *t;
	struct dns_result r;
	struct dns_ctx ctx = { { 0 } };
	size_t cut;

	if (dns_parse(data, size, &m) == 0) {
		dns_format_results(&m, out, sizeof(out));
		if (strlen(out) >= sizeof(out))
			abort();
		(void)dns_status(&m);
	}
	t = dns_track_new(1000);
	if (!t)
		return 0;
	dns_track_packet(t, 1, 1, true, false, 0, data, size, &ctx);
	dns_track_packet(t, 2, 1, false, false, 0, data, size, &ctx);
	cut = size ? data[0] % (size + 1) : 0;
	dns_track_packet(t, 3, 2, false, true, 100, data, cut, &ctx);
	dns_track_packet(t, 4, 2, false, true, 100 + (uint32_t)cut, data + cut,
			 size - cut, &ctx);
	/* And out of order: a gap. */
	dns_track_packet(t, 5, 2, false, true, 7, data, size, &ctx);
	dns_track_expire(t, 5000);
	while (dns_track_next(t, &r))
		if (r.msg && r.msg->nanswers > DNS_ANSWERS_MAX)
			abort();
	dns_track_free(t);
	return 0;
}
