-- Everything lsbilling puts in a database's catalog, one line an object, in a
-- stable order and without OIDs, so that two databases can be compared with
-- diff: an updated one (0.1.0 + ALTER EXTENSION UPDATE) and a fresh install.
-- Day partitions of runs (runs_pYYYYMMDD, made at run time) are left out.
\pset format unaligned
\pset tuples_only on
\pset footer off
WITH rels AS (
	SELECT c.oid, c.relname, c.relkind
	FROM pg_class c
	WHERE c.relnamespace = 'lsbilling'::regnamespace
	  AND c.relname !~ '^runs_p[0-9]{8}'
)
SELECT line FROM (
	SELECT 'extension ' || extname || ' ' || extversion || ' relocatable=' || extrelocatable AS line
	FROM pg_extension WHERE extname = 'lsbilling'
	UNION ALL
	SELECT 'config ' || cfg::regclass::text || ' ' || coalesce(cond, '')
	FROM pg_extension e, unnest(e.extconfig, e.extcondition) AS u(cfg, cond)
	WHERE e.extname = 'lsbilling'
	UNION ALL
	SELECT format('relation %s kind=%s rls=%s force=%s acl=%s options=%s',
				  r.relname, r.relkind, c.relrowsecurity, c.relforcerowsecurity,
				  c.relacl::text, c.reloptions::text)
	FROM rels r JOIN pg_class c ON c.oid = r.oid
	UNION ALL
	SELECT format('partkey %s %s', r.relname, pg_get_partkeydef(r.oid))
	FROM rels r WHERE r.relkind = 'p'
	UNION ALL
	SELECT format('column %s.%s #%s %s notnull=%s default=%s identity=%s generated=%s acl=%s',
				  r.relname, a.attname, a.attnum, format_type(a.atttypid, a.atttypmod),
				  a.attnotnull, pg_get_expr(d.adbin, d.adrelid), a.attidentity, a.attgenerated,
				  a.attacl::text)
	FROM rels r
	JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
	LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
	WHERE r.relkind IN ('r', 'p', 'v', 'm', 'f')
	UNION ALL
	SELECT format('constraint %s %s %s %s', r.relname, co.conname, co.contype, pg_get_constraintdef(co.oid))
	FROM rels r JOIN pg_constraint co ON co.conrelid = r.oid
	UNION ALL
	SELECT format('index %s', pg_get_indexdef(r.oid))
	FROM rels r WHERE r.relkind IN ('i', 'I')
	UNION ALL
	SELECT format('trigger %s enabled=%s', pg_get_triggerdef(t.oid), t.tgenabled)
	FROM rels r JOIN pg_trigger t ON t.tgrelid = r.oid AND NOT t.tgisinternal
	UNION ALL
	SELECT format('policy %s.%s %s %s roles=%s using=%s check=%s',
				  p.tablename, p.policyname, p.permissive, p.cmd, p.roles::text, p.qual, p.with_check)
	FROM pg_policies p WHERE p.schemaname = 'lsbilling' AND p.tablename !~ '^runs_p[0-9]{8}'
	UNION ALL
	SELECT format('view %s %s', r.relname, pg_get_viewdef(r.oid))
	FROM rels r WHERE r.relkind IN ('v', 'm')
	UNION ALL
	SELECT format('sequence %s %s %s %s %s %s %s', r.relname, format_type(s.seqtypid, NULL),
				  s.seqstart, s.seqincrement, s.seqmax, s.seqmin, s.seqcycle)
	FROM rels r JOIN pg_sequence s ON s.seqrelid = r.oid
	UNION ALL
	SELECT format('function %s acl=%s secdef=%s config=%s %s',
				  p.oid::regprocedure::text, p.proacl::text, p.prosecdef, p.proconfig::text,
				  pg_get_functiondef(p.oid))
	FROM pg_proc p WHERE p.pronamespace = 'lsbilling'::regnamespace AND p.prokind IN ('f', 'p', 'w')
	UNION ALL
	SELECT format('aggregate %s', p.oid::regprocedure::text)
	FROM pg_proc p WHERE p.pronamespace = 'lsbilling'::regnamespace AND p.prokind = 'a'
	UNION ALL
	SELECT format('type %s %s', t.typname, t.typtype)
	FROM pg_type t WHERE t.typnamespace = 'lsbilling'::regnamespace
	  AND t.typname !~ '^_?runs_p[0-9]{8}'
	UNION ALL
	SELECT format('comment %s %s', pg_describe_object(d.classoid, d.objoid, d.objsubid), d.description)
	FROM pg_description d
	WHERE (d.classoid = 'pg_class'::regclass AND d.objoid IN (SELECT oid FROM rels))
	   OR (d.classoid = 'pg_proc'::regclass
		   AND d.objoid IN (SELECT oid FROM pg_proc WHERE pronamespace = 'lsbilling'::regnamespace))
	UNION ALL
	SELECT 'member ' || pg_describe_object(d.classid, d.objid, d.objsubid)
	FROM pg_depend d
	WHERE d.refclassid = 'pg_extension'::regclass
	  AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'lsbilling')
	  AND d.deptype = 'e'
	  AND pg_describe_object(d.classid, d.objid, d.objsubid) !~ 'runs_p[0-9]{8}'
) AS catalog
ORDER BY line COLLATE "C";
