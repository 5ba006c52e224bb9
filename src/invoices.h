/*-------------------------------------------------------------------------
 *
 * invoices.h
 *	  Issued invoices (invoices.c): what the background worker calls.
 *
 *-------------------------------------------------------------------------
 */
#ifndef LSBILLING_INVOICES_H
#define LSBILLING_INVOICES_H

/*
 * Issue the invoices due by lsbilling's clock, once per UTC day of the
 * calling process; the caller is in a transaction, connected to SPI.
 */
extern void InvoicesIssueDaily(void);

#endif							/* LSBILLING_INVOICES_H */
