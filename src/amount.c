/*-------------------------------------------------------------------------
 *
 * amount.c
 *	  Exact money: int128 fixed point, with numeric as the fallback.
 *
 * Pricing a run multiplies token counts by prices and adds a handful of
 * terms.  Doing that in numeric costs several allocations a row; in int128
 * it costs nothing, and is exact as long as every value fits the scale
 * (1e-9 for prices in $ per 1M tokens, 1e-15 for dollars, so that tokens x
 * price is already a cost).  Anything that does not fit keeps its numeric
 * value and the operation falls back to numeric arithmetic.
 *
 * The conversions between numeric and fixed point read and write numeric's
 * on-disk format directly: going through numeric_out / numeric_in would cost
 * more than the rest of the pricing together (PERF-NOTES.md).  That format is
 * stable (pg_upgrade keeps it), but its macros are private to numeric.c, so
 * the few we need are repeated below.  test/pgtap/20_cost_engine.sql checks
 * both directions against numeric's own arithmetic.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "port/pg_bitutils.h"
#include "utils/numeric.h"

#include "cost.h"

/* From numeric.c: the packed header of a numeric datum. */
#define NBASE					10000
#define DEC_DIGITS				4
#define NUMERIC_SIGN_MASK		0xC000
#define NUMERIC_NEG				0x4000
#define NUMERIC_SHORT			0x8000
#define NUMERIC_SPECIAL			0xC000
#define NUMERIC_DSCALE_MASK		0x3FFF
#define NUMERIC_SHORT_SIGN_MASK 0x2000
#define NUMERIC_SHORT_DSCALE_MASK 0x1F80
#define NUMERIC_SHORT_DSCALE_SHIFT 7
#define NUMERIC_SHORT_WEIGHT_SIGN_MASK 0x0040
#define NUMERIC_SHORT_WEIGHT_MASK 0x003F

typedef int16 NumericDigit;

/* 10^0 .. 10^38: the powers int128 can hold. */
static int128
Pow10(int n)
{
	static int128 table[39];
	static bool ready = false;

	if (!ready)
	{
		table[0] = 1;
		for (int i = 1; i < 39; i++)
			table[i] = table[i - 1] * 10;
		ready = true;
	}
	return table[n];
}

/*
 * The exact value of num at the given decimal scale (value x 10^scale), or
 * false when that is not an integer or does not fit comfortably in int128
 * (we stay below 10^37 so that a few additions cannot overflow).
 */
bool
NumericToFixed(Numeric num, int scale, int128 *result)
{
	const char *data = VARDATA_ANY(num);
	Size		size = VARSIZE_ANY_EXHDR(num);
	uint16		header;
	bool		neg;
	int			weight;
	Size		hdr;
	int			ndigits;
	int128		acc = 0;
	int			exp10;

	memcpy(&header, data, sizeof(uint16));
	if ((header & NUMERIC_SIGN_MASK) == NUMERIC_SPECIAL)
		return false;			/* NaN, infinity */
	if (header & NUMERIC_SHORT)
	{
		neg = (header & NUMERIC_SHORT_SIGN_MASK) != 0;
		weight = (header & NUMERIC_SHORT_WEIGHT_SIGN_MASK) ? (int) (~NUMERIC_SHORT_WEIGHT_MASK | (header & NUMERIC_SHORT_WEIGHT_MASK))
			: (int) (header & NUMERIC_SHORT_WEIGHT_MASK);
		hdr = sizeof(uint16);
	}
	else
	{
		int16		w;

		neg = (header & NUMERIC_SIGN_MASK) == NUMERIC_NEG;
		memcpy(&w, data + sizeof(uint16), sizeof(int16));
		weight = w;
		hdr = sizeof(uint16) + sizeof(int16);
	}
	ndigits = (int) ((size - hdr) / sizeof(NumericDigit));
	if (ndigits == 0)
	{
		*result = 0;
		return true;
	}
	/*
	 * The value is below 10^(4 x (weight + 1)); past 10^37 it does not fit
	 * (that also bounds the digit loop and the multiplication below).
	 */
	if (DEC_DIGITS * (weight + 1) + scale > 37)
		return false;
	/* 9 groups (36 digits) keep the accumulator inside int128 */
	if (ndigits > 9)
		return false;
	if (ndigits <= 4)
	{
		/* at most 16 decimal digits: the common case, in 64 bits */
		int64		a = 0;

		for (int i = 0; i < ndigits; i++)
		{
			NumericDigit d;

			memcpy(&d, data + hdr + i * sizeof(NumericDigit), sizeof(NumericDigit));
			a = a * NBASE + d;
		}
		acc = a;
	}
	else
	{
		for (int i = 0; i < ndigits; i++)
		{
			NumericDigit d;

			memcpy(&d, data + hdr + i * sizeof(NumericDigit), sizeof(NumericDigit));
			acc = acc * NBASE + d;
		}
	}

	/* acc x 10^(DEC_DIGITS x (weight - ndigits + 1)) is the value */
	exp10 = DEC_DIGITS * (weight - ndigits + 1) + scale;
	if (exp10 > 0)
		acc *= Pow10(exp10);
	else if (exp10 < 0)
	{
		int128		p;

		if (-exp10 > 38)
			return false;
		p = Pow10(-exp10);
		if (acc % p != 0)
			return false;		/* more decimals than the scale holds */
		acc /= p;
	}
	*result = neg ? -acc : acc;
	return true;
}

/*
 * NumericToFixed(num, 0, result) for what clients send as token counts:
 * non-negative integers in the short format of one or two base-10000 groups
 * up to weight 3 (below 10^16, at most eight significant digits), without
 * the general path's work; the rest goes that way.
 */
bool
NumericToCount(Numeric num, int128 *result)
{
	const char *data = VARDATA_ANY(num);
	Size		size = VARSIZE_ANY_EXHDR(num);
	uint16		header;
	int			ndigits;
	int			weight;
	NumericDigit d[2];
	static const int64 scale[4] = {1, 10000, 100000000, INT64CONST(1000000000000)};

	memcpy(&header, data, sizeof(uint16));
	/* short format, not negative, weight not negative */
	if ((header & (NUMERIC_SIGN_MASK | NUMERIC_SHORT_SIGN_MASK | NUMERIC_SHORT_WEIGHT_SIGN_MASK)) ==
		NUMERIC_SHORT)
	{
		ndigits = (int) ((size - sizeof(uint16)) / sizeof(NumericDigit));
		weight = header & NUMERIC_SHORT_WEIGHT_MASK;
		if (ndigits == 1 && weight <= 3)
		{
			memcpy(d, data + sizeof(uint16), sizeof(NumericDigit));
			*result = (int64) d[0] * scale[weight];
			return true;
		}
		if (ndigits == 2 && weight >= 1 && weight <= 3)
		{
			memcpy(d, data + sizeof(uint16), 2 * sizeof(NumericDigit));
			*result = ((int64) d[0] * NBASE + d[1]) * scale[weight - 1];
			return true;
		}
	}
	return NumericToFixed(num, 0, result);
}

/*
 * The common case of FixedToNumeric: a cost (scale 15) below 2^64 units
 * ($18,446), as six base-10000 groups around the decimal point, written into
 * buf (LsbNumericBuf); returns its length.  Two 64-bit divisions by
 * constants (one splits off the dollars, skipped below $1; one splits the
 * 16 decimals in halves), the rest is 32-bit arithmetic, and the first and
 * last non-zero groups come from a bit mask, not from loops (this runs for
 * every cost and every priced detail of a row).
 */
static Size
CostToNumeric64Into(uint64 u, bool neg, char *buf)
{
	/* most costs are below $1: no division for the dollars then */
	uint32		ip = u < UINT64CONST(1000000000000000) ? 0 :
		(uint32) (u / UINT64CONST(1000000000000000));	/* < 18447 */
	uint64		f16 = (u - ip * UINT64CONST(1000000000000000)) * 10;	/* 16 decimals */
	uint32		hi8 = (uint32) (f16 / 100000000);
	uint32		lo8 = (uint32) (f16 - (uint64) hi8 * 100000000);
	uint32		d0 = ip / NBASE;
	uint32		d1 = ip % NBASE;
	uint32		d2 = hi8 / NBASE;
	uint32		d3 = hi8 % NBASE;
	uint32		d4 = lo8 / NBASE;
	uint32		d5 = lo8 % NBASE;
	uint128		groups;			/* the six groups, 16 bits each, first in the low bits */
	uint32		mask;
	int			lo;
	int			hi;
	int			dscale = 0;
	int			weight;
	Size		len;
	uint16		header;

	mask = (uint32) (d0 != 0) | (uint32) (d1 != 0) << 1 | (uint32) (d2 != 0) << 2 |
		(uint32) (d3 != 0) << 3 | (uint32) (d4 != 0) << 4 | (uint32) (d5 != 0) << 5;
	if (mask == 0)
	{
		/* zero: no digits, no sign, weight 0, as make_result writes it */
		len = VARHDRSZ + sizeof(uint16);
		SET_VARSIZE(buf, len);
		header = NUMERIC_SHORT;
		memcpy(VARDATA(buf), &header, sizeof(uint16));
		return len;
	}
	groups = (uint128) ((uint64) d0 | (uint64) d1 << 16 | (uint64) d2 << 32 | (uint64) d3 << 48) |
		(uint128) ((uint64) d4 | (uint64) d5 << 16) << 64;
	lo = pg_rightmost_one_pos32(mask);
	hi = pg_leftmost_one_pos32(mask);
	weight = 1 - lo;
	if (hi >= 2)
	{
		uint32		last = (uint32) (groups >> (16 * hi)) & 0xFFFF;	/* 1..9999: at most three trailing zeros */

		dscale = DEC_DIGITS * (hi - 1) - ((last % 10 == 0) + (last % 100 == 0) + (last % 1000 == 0));
	}
	len = VARHDRSZ + sizeof(uint16) + (hi - lo + 1) * sizeof(NumericDigit);
	header = NUMERIC_SHORT
		| (neg ? NUMERIC_SHORT_SIGN_MASK : 0)
		| (dscale << NUMERIC_SHORT_DSCALE_SHIFT)
		| (weight < 0 ? NUMERIC_SHORT_WEIGHT_SIGN_MASK : 0)
		| (weight & NUMERIC_SHORT_WEIGHT_MASK);
	groups >>= 16 * lo;
#ifndef WORDS_BIGENDIAN
	{
		/*
		 * The varlena header, the numeric header and the groups as two words
		 * (little-endian), so that the few wide stores here feed the copies
		 * that follow (into a tuple or a jsonb) without byte-wise stores.
		 */
		uint32		varhdr;
		uint64		w0;
		uint64		w1;

		SET_VARSIZE(&varhdr, len);
		w0 = (uint64) varhdr | (uint64) header << 32 | (uint64) (groups & 0xFFFF) << 48;
		w1 = (uint64) (groups >> 16);
		memcpy(buf, &w0, 8);
		memcpy(buf + 8, &w1, 8);
		if (hi - lo == 5)
		{
			uint16		g = (uint16) (groups >> 80);

			memcpy(buf + 16, &g, 2);
		}
	}
#else
	SET_VARSIZE(buf, len);
	memcpy(VARDATA(buf), &header, sizeof(uint16));
	for (int i = 0; i <= hi - lo; i++)
	{
		NumericDigit g = (NumericDigit) ((groups >> (16 * i)) & 0xFFFF);

		memcpy(VARDATA(buf) + sizeof(uint16) + i * sizeof(NumericDigit), &g, sizeof(NumericDigit));
	}
#endif
	return len;
}

/*
 * value x 10^-scale as a numeric, with the smallest display scale that
 * shows it exactly (trailing zeros dropped, as trim_scale would), laid out
 * as numeric.c's make_result lays out the short format.
 */
Numeric
FixedToNumeric(int128 value, int scale)
{
	bool		neg = value < 0;
	uint128		u = neg ? -(uint128) value : (uint128) value;
	uint128		ip;
	uint64		frac;
	int			dscale;
	NumericDigit groups[16];	/* least significant first */
	int			ngroups = 0;
	int			nfrac;
	int			weight;
	int			lo;
	int			hi;
	Numeric		result;
	Size		len;
	uint16		header;

	Assert(scale >= 0 && scale <= 16);
	if (u <= PG_UINT64_MAX && scale == LSB_COST_SCALE)
	{
		LsbNumericBuf buf;
		Size		n = CostToNumeric64Into((uint64) u, neg, buf.data);

		result = (Numeric) palloc(n);
		memcpy(result, buf.data, n);
		return result;
	}
	/* 128-bit division is a library call: stay in 64 bits where we can */
	if (u <= PG_UINT64_MAX)
	{
		uint64		u64 = (uint64) u;
		uint64		p = (uint64) Pow10(scale);

		ip = u64 / p;
		frac = u64 % p;
	}
	else
	{
		ip = u / (uint128) Pow10(scale);
		frac = (uint64) (u % (uint128) Pow10(scale));
	}

	/* display scale: the decimals left once trailing zeros go */
	dscale = scale;
	if (frac == 0)
		dscale = 0;
	else
	{
		uint64		f = frac;

		while (f % 10 == 0)
		{
			f /= 10;
			dscale--;
		}
	}

	/* fraction as base-10000 groups aligned on the decimal point */
	nfrac = (scale + DEC_DIGITS - 1) / DEC_DIGITS;
	{
		uint64		f = frac;

		for (int i = scale; i < nfrac * DEC_DIGITS; i++)
			f *= 10;
		for (int i = 0; i < nfrac; i++)
		{
			groups[ngroups++] = (NumericDigit) (f % NBASE);
			f /= NBASE;
		}
	}
	while (ip > 0)
	{
		if (ip <= PG_UINT64_MAX)
		{
			uint64		s = (uint64) ip;

			while (s > 0)
			{
				groups[ngroups++] = (NumericDigit) (s % NBASE);
				s /= NBASE;
			}
			break;
		}
		groups[ngroups++] = (NumericDigit) (ip % NBASE);
		ip /= NBASE;
	}

	/* strip zero groups at both ends; groups[lo..hi] remain */
	lo = 0;
	hi = ngroups - 1;
	while (hi >= 0 && groups[hi] == 0)
		hi--;
	while (lo <= hi && groups[lo] == 0)
		lo++;
	if (hi < lo)
	{
		neg = false;
		weight = 0;
		lo = 0;
		hi = -1;
	}
	else
		weight = hi - nfrac;

	len = VARHDRSZ + sizeof(uint16) + (hi - lo + 1) * sizeof(NumericDigit);
	result = (Numeric) palloc(len);
	SET_VARSIZE(result, len);
	header = NUMERIC_SHORT
		| (neg ? NUMERIC_SHORT_SIGN_MASK : 0)
		| (dscale << NUMERIC_SHORT_DSCALE_SHIFT)
		| (weight < 0 ? NUMERIC_SHORT_WEIGHT_SIGN_MASK : 0)
		| (weight & NUMERIC_SHORT_WEIGHT_MASK);
	memcpy(VARDATA(result), &header, sizeof(uint16));
	for (int i = hi, k = 0; i >= lo; i--, k++)
		memcpy(VARDATA(result) + sizeof(uint16) + k * sizeof(NumericDigit), &groups[i],
			   sizeof(NumericDigit));
	return result;
}

/* num at the scale when it fits, else num itself (not copied). */
void
AmountFromNumeric(Numeric num, int scale, LsbAmount *a)
{
	if (NumericToFixed(num, scale, &a->fixed))
		a->num = NULL;
	else
	{
		a->fixed = 0;
		/* numeric.c's functions want a plain 4-byte-header datum */
		a->num = DatumGetNumeric(PointerGetDatum(num));
	}
}

Numeric
AmountToNumeric(const LsbAmount *a, int scale)
{
	return a->num != NULL ? a->num : FixedToNumeric(a->fixed, scale);
}

/*
 * A cost (scale LSB_COST_SCALE) as a numeric, written into buf when it is
 * below 2^64 units (the common case: no allocation), else palloc'd; the
 * result lives as long as buf.  For values copied at once (into a tuple or a
 * jsonb).
 */
Numeric
CostToNumericBuf(int128 value, LsbNumericBuf *buf)
{
	if (value >= 0 && value <= (int128) PG_UINT64_MAX)
	{
		CostToNumeric64Into((uint64) value, false, buf->data);
		return (Numeric) buf->data;
	}
	return FixedToNumeric(value, LSB_COST_SCALE);
}

/* A cost amount as a numeric: a->num itself, else as CostToNumericBuf writes it. */
Numeric
AmountToNumericBuf(const LsbAmount *a, LsbNumericBuf *buf)
{
	return a->num != NULL ? a->num : CostToNumericBuf(a->fixed, buf);
}

bool
AmountIsNegative(const LsbAmount *a)
{
	if (a->num != NULL)
	{
		uint16		header;

		/* zero is never negative: make_result clears its sign */
		memcpy(&header, VARDATA_ANY(a->num), sizeof(uint16));
		if ((header & NUMERIC_SIGN_MASK) == NUMERIC_SPECIAL)
			return false;
		if (header & NUMERIC_SHORT)
			return (header & NUMERIC_SHORT_SIGN_MASK) != 0;
		return (header & NUMERIC_SIGN_MASK) == NUMERIC_NEG;
	}
	return a->fixed < 0;
}

/*
 * Both amounts at the cost scale.  False only when numeric itself overflows.
 * AmountAdd (cost.h) adds two fixed-point amounts inline and calls this for
 * the rest.
 */
bool
AmountAddSlow(const LsbAmount *a, const LsbAmount *b, LsbAmount *result)
{
	bool		error = false;
	Numeric		sum;

	sum = numeric_add_opt_error(AmountToNumeric(a, LSB_COST_SCALE),
								AmountToNumeric(b, LSB_COST_SCALE), &error);
	if (error)
		return false;
	AmountFromNumeric(sum, LSB_COST_SCALE, result);
	return true;
}

/*
 * The cost of tokens at price ($ per 1M tokens, at the price scale) in
 * numeric: AmountTokenCost (cost.h) takes the fixed-point product inline and
 * calls this for the rest.
 */
bool
AmountTokenCostSlow(int128 tokens, const LsbAmount *price, LsbAmount *result)
{
	bool		error = false;
	Numeric		n;

	/* numeric: tokens x price x 0.000001, all exact (numeric_mul never rounds here) */
	n = numeric_mul_opt_error(int64_to_numeric((int64) tokens),
							  AmountToNumeric(price, LSB_PRICE_SCALE), &error);
	if (!error)
		n = numeric_mul_opt_error(n, FixedToNumeric(1, 6), &error);
	if (error)
		return false;
	AmountFromNumeric(n, LSB_COST_SCALE, result);
	return true;
}
