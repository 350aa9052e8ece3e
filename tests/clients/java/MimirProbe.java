/*
 * MimirProbe: drives Mimir through MariaDB Connector/J (Debian's libmariadb-java),
 * the JDBC path DBeaver and CloudBeaver take, and prints what the driver saw as
 * one JSON object on stdout for tests/integration/test_client_jdbc.py to compare
 * with PostgreSQL.
 *
 *   java -cp <classes>:/usr/share/java/mariadb-java-client.jar MimirProbe <jdbc-url> <step>...
 *
 * Steps, run in order on one connection; each one's outcome goes under its own
 * key ("0:catalogs", "1:query", ...: its number among the steps, parameters not
 * counted) so that one failing step does not hide the others:
 *   catalogs          DatabaseMetaData.getCatalogs()
 *   tables            DatabaseMetaData.getTables("mimir", null, "%", null)
 *   columns=<table>   DatabaseMetaData.getColumns("mimir", null, <table>, "%")
 *   query=<sql>       Statement.executeQuery(<sql>)
 *   prepare=<sql>     Connection.prepareStatement(<sql>), executed after binding
 *   string=<value>      the parameters that follow it (setString / setLong)
 *   long=<value>
 *
 * A step that throws reports {"error": {"code", "sqlstate", "message"}}. Values
 * keep their exactness: BigDecimal is printed as a JSON string (toPlainString),
 * integers as JSON numbers, and each result column reports the Java class of
 * its values, because drivers pick Java types from the column definitions.
 */
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

public final class MimirProbe {
    private MimirProbe() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: MimirProbe <jdbc-url> <step>...");
            System.exit(2);
        }
        StringBuilder out = new StringBuilder("{");
        try (Connection conn = DriverManager.getConnection(args[0])) {
            DatabaseMetaData md = conn.getMetaData();
            field(out, "server", str(md.getDatabaseProductVersion()));
            field(out, "driver", str(md.getDriverName() + " " + md.getDriverVersion()));
            int i = 1;
            int stepNo = 0;
            while (i < args.length) {
                String step = args[i];
                List<String> params = new ArrayList<>();
                int next = i + 1;
                while (next < args.length
                       && (args[next].startsWith("string=") || args[next].startsWith("long="))) {
                    params.add(args[next]);
                    next++;
                }
                String key = (stepNo++) + ":" + step.split("=", 2)[0];
                String result;
                try {
                    result = runStep(conn, step, params);
                } catch (SQLException e) {
                    result = error(e);
                }
                field(out, key, result);
                i = next;
            }
        } catch (SQLException e) {
            field(out, "connect", error(e));
        }
        out.append("}");
        System.out.println(out);
    }

    private static String runStep(Connection conn, String step, List<String> params)
            throws SQLException {
        String[] kv = step.split("=", 2);
        String arg = kv.length > 1 ? kv[1] : null;
        DatabaseMetaData md = conn.getMetaData();
        switch (kv[0]) {
        case "catalogs":
            try (ResultSet rs = md.getCatalogs()) {
                return rows(rs, "TABLE_CAT");
            }
        case "tables":
            try (ResultSet rs = md.getTables("mimir", null, "%", null)) {
                return rows(rs, "TABLE_CAT", "TABLE_NAME", "TABLE_TYPE", "REMARKS");
            }
        case "columns":
            try (ResultSet rs = md.getColumns("mimir", null, arg, "%")) {
                return rows(rs, "TABLE_NAME", "COLUMN_NAME", "DATA_TYPE", "TYPE_NAME",
                            "REMARKS");
            }
        case "query":
            try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery(arg)) {
                return resultSet(rs);
            }
        case "prepare":
            try (PreparedStatement ps = conn.prepareStatement(arg)) {
                int n = 1;
                for (String p : params) {
                    String[] pv = p.split("=", 2);
                    if (pv[0].equals("long"))
                        ps.setLong(n++, Long.parseLong(pv[1]));
                    else
                        ps.setString(n++, pv[1]);
                }
                try (ResultSet rs = ps.executeQuery()) {
                    return resultSet(rs);
                }
            }
        default:
            throw new IllegalArgumentException("unknown step " + step);
        }
    }

    /* Selected columns of a DatabaseMetaData result, as a JSON array of arrays. */
    private static String rows(ResultSet rs, String... names) throws SQLException {
        StringBuilder sb = new StringBuilder("[");
        boolean first = true;
        while (rs.next()) {
            sb.append(first ? "[" : ",[");
            first = false;
            for (int c = 0; c < names.length; c++) {
                if (c > 0)
                    sb.append(',');
                sb.append(value(rs.getObject(names[c])));
            }
            sb.append(']');
        }
        return sb.append(']').toString();
    }

    /* {"columns": [{"label", "type", "class"}...], "rows": [[...]...]} where
     * "class" is the Java class of the column's non-null values. */
    private static String resultSet(ResultSet rs) throws SQLException {
        ResultSetMetaData meta = rs.getMetaData();
        int n = meta.getColumnCount();
        String[] classes = new String[n];
        StringBuilder rows = new StringBuilder("[");
        boolean first = true;
        while (rs.next()) {
            rows.append(first ? "[" : ",[");
            first = false;
            for (int c = 1; c <= n; c++) {
                Object v = rs.getObject(c);
                if (v != null)
                    classes[c - 1] = v.getClass().getName();
                if (c > 1)
                    rows.append(',');
                rows.append(value(v));
            }
            rows.append(']');
        }
        rows.append(']');
        StringBuilder cols = new StringBuilder("[");
        for (int c = 1; c <= n; c++) {
            if (c > 1)
                cols.append(',');
            cols.append("{\"label\":").append(str(meta.getColumnLabel(c)));
            cols.append(",\"type\":").append(str(meta.getColumnTypeName(c)));
            cols.append(",\"class\":").append(str(classes[c - 1])).append('}');
        }
        cols.append(']');
        return "{\"columns\":" + cols + ",\"rows\":" + rows + "}";
    }

    private static String value(Object v) {
        if (v == null)
            return "null";
        if (v instanceof BigDecimal)
            return str(((BigDecimal) v).toPlainString());
        if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte)
            return v.toString();
        return str(v.toString());
    }

    private static String error(SQLException e) {
        return "{\"error\":{\"code\":" + e.getErrorCode() + ",\"sqlstate\":" + str(e.getSQLState())
            + ",\"message\":" + str(e.getMessage()) + "}}";
    }

    private static void field(StringBuilder out, String key, String json) {
        if (out.length() > 1)
            out.append(',');
        out.append(str(key)).append(':').append(json);
    }

    private static String str(String s) {
        if (s == null)
            return "null";
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
            case '"':
                sb.append("\\\"");
                break;
            case '\\':
                sb.append("\\\\");
                break;
            case '\n':
                sb.append("\\n");
                break;
            case '\r':
                sb.append("\\r");
                break;
            case '\t':
                sb.append("\\t");
                break;
            default:
                if (ch < 0x20)
                    sb.append(String.format("\\u%04x", (int) ch));
                else
                    sb.append(ch);
            }
        }
        return sb.append('"').toString();
    }
}
