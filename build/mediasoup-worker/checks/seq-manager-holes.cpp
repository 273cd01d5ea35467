// Property check of the worker's SeqManager<uint16_t> (compiled from the patched worker sources):
// 2,000 streams of 3,000 packets, ~10% locally reordered, a third of them dropped by the consumer.
// Prints how many output sequence holes remain and how many were unavoidable (a packet dropped
// after a later one had already been forwarded). Patch 0008 makes the two equal.
#include "RTC/SeqManager.hpp"
#include <algorithm>
#include <cstdio>
#include <map>
#include <random>
#include <set>
#include <vector>

int main()
{
	long holes = 0, unavoidable = 0, reversed = 0;
	const int runs = 2000, n = 3000;

	for (int r = 0; r < runs; r++)
	{
		std::mt19937 rng(r);
		const uint16_t start = rng();
		std::vector<uint16_t> order;

		for (int i = 0; i < n; i++)
			order.push_back(start + i);
		for (int i = 1; i + 1 < n; i++)
			if (rng() % 10 == 0)
				std::swap(order[i], order[i + 1 + rng() % std::min(3, n - i - 1)]);

		RTC::SeqManager<uint16_t> seqs(static_cast<uint16_t>(rng()));
		std::map<long, uint16_t> outputs; // input index -> output
		std::set<long> droppedLate;
		long maxForwarded = -1;

		seqs.Sync(order[0] - 1);
		for (auto input : order)
		{
			const long idx = static_cast<uint16_t>(input - start);
			uint16_t output;

			if (rng() % 3 == 0)
			{
				seqs.Drop(input);
				if (idx < maxForwarded)
					droppedLate.insert(idx);
			}
			else if (seqs.Input(input, output))
			{
				outputs[idx] = output;
				maxForwarded = std::max(maxForwarded, idx);
			}
		}

		// Unwrap the outputs in input order: they must rise, and the gaps are the holes.
		long prev = 0;
		bool first = true;
		uint16_t last = 0;
		for (auto& kv : outputs)
		{
			const long u = first ? kv.second : prev + static_cast<int16_t>(kv.second - last);
			if (!first && u <= prev)
				reversed++;
			if (!first)
				holes += u - prev - 1;
			first = false;
			prev = u;
			last = kv.second;
		}
		for (long d : droppedLate)
			if (!outputs.empty() && d > outputs.begin()->first && d < outputs.rbegin()->first)
				unavoidable++;
	}

	std::printf(
	  "SeqManager: %d streams, output holes %ld (unavoidable %ld), outputs out of order %ld\n",
	  runs, holes, unavoidable, reversed);
	return reversed == 0 && holes == unavoidable ? 0 : 1;
}
