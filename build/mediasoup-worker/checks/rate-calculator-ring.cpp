// Drives the worker's RateCalculator (its header and source are pasted in by run.sh, unchanged)
// with 2 million updates per run: time that only moves forward, as every caller in 3.12.16 feeds it
// (uv_hrtime), and time that sometimes steps back a few ms, as upstream's sender-side estimator
// did. Counts runs that hit the "newest index overlaps with the oldest one" assertion, which kills
// the worker (upstream #1316 / PR #1570).
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <random>
#include <stdexcept>
#include <vector>
#include <algorithm>
#define MS_TRACE()
#define MS_ASSERT(c, ...) do { if (!(c)) throw std::runtime_error("assertion"); } while (0)
namespace RTC { class RtpPacket { public: size_t GetSize() const { return 100; } }; }
struct DepLibUV { static uint64_t GetTimeMs() { return 0; } };
#define MS_RTC_RATE_CALCULATOR_HPP
// RATE_CALCULATOR_SOURCES
static long run(size_t window, bool stepsBack, int seed)
{
	std::mt19937_64 rng(seed);
	RTC::RateCalculator rate(window);
	uint64_t now = 1000000 + rng() % 100000;
	for (long i = 0; i < 2000000; i++)
	{
		const uint64_t r = rng() % 100;
		if (r >= 60)
			now += r < 95 ? rng() % 30 : rng() % (3 * window);
		uint64_t t = now;
		if (stepsBack && rng() % 4 == 0)
			t = now - rng() % 20;
		try
		{
			rate.Update(1 + rng() % 1200, t);
			if (rng() % 8 == 0)
				rate.GetRate(t);
		}
		catch (...)
		{
			return i;
		}
	}
	return -1;
}
int main()
{
	int monotonicHits = 0;
	for (size_t window : { 1000u, 2500u, 6000u })
	{
		for (int stepsBack = 0; stepsBack < 2; stepsBack++)
		{
			int hits = 0;
			for (int seed = 0; seed < 20; seed++)
				hits += run(window, stepsBack, seed) >= 0;
			if (!stepsBack)
				monotonicHits += hits;
			std::printf(
			  "RateCalculator window %zu ms, time %s: %d of 20 runs hit the assertion\n",
			  window, stepsBack ? "stepping back" : "monotonic", hits);
		}
	}
	return monotonicHits == 0 ? 0 : 1;
}
