"""The dataset pack's schema: every table, column, key and where it may be seen.

This is the contract the labs and the anonymizer build on. ``public`` tables go into
every learner container; ``answers`` tables hold ground truth for trainers and grading
and are never mounted for learners.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import pyarrow as pa

ColumnType = Literal["int", "float", "str", "date", "bool"]
Visibility = Literal["public", "answers"]

ARROW_TYPES = {"int": pa.int64(), "float": pa.float64(), "str": pa.string(), "date": pa.date32(),
               "bool": pa.bool_()}
SQLITE_TYPES = {"int": "INTEGER", "float": "REAL", "str": "TEXT", "date": "TEXT", "bool": "INTEGER"}


@dataclass(frozen=True)
class Column:
    name: str
    type: ColumnType
    description: str
    personal: bool = False  # personal data about a (synthetic) person
    references: str | None = None  # "table.column"
    nullable: bool = False


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    columns: tuple[Column, ...]
    visibility: Visibility = "public"
    primary_key: str | None = None
    stored_in_sqlite: bool = True

    def arrow_schema(self) -> pa.Schema:
        return pa.schema([pa.field(c.name, ARROW_TYPES[c.type], nullable=c.nullable or c.name != self.primary_key)
                          for c in self.columns])

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


@dataclass(frozen=True)
class TextCorpus:
    name: str
    description: str
    id_prefix: str
    owner_table: str  # the table whose `text_id` column points at these texts
    entities: tuple[str, ...] = field(default=())


def C(name: str, type_: ColumnType, description: str, **kw) -> Column:  # noqa: N802 - reads like a table
    return Column(name, type_, description, **kw)


_ADDRESS = (
    C("street", "str", "Street number and name.", personal=True, nullable=True),
    C("postal_code", "str", "Postal code (FR: 5 digits, department first; US: ZIP).", personal=True,
      nullable=True),
    C("city", "str", "City, consistent with the postal code.", nullable=True),
    C("region", "str", "French department number or US state.", nullable=True),
)

TABLES: tuple[Table, ...] = (
    Table("departments", "The company's departments.", (
        C("department_id", "int", "Key."),
        C("code", "str", "Short code."),
        C("name", "str", "Department name."),
        C("role", "str", "Function: executive, hr, finance, legal, sales, marketing, support, logistics, it."),
        C("cost_center", "str", "Accounting cost centre."),
    ), primary_key="department_id"),
    Table("employees", "Everyone on the payroll at the extract date.", (
        C("employee_id", "int", "Key."),
        C("first_name", "str", "First name.", personal=True),
        C("last_name", "str", "Last name.", personal=True),
        C("gender", "str", "F or M."),
        C("birth_date", "date", "Date of birth.", personal=True),
        C("national_id", "str", "NIR (fr_FR) or SSN (en_US), valid check digits.", personal=True),
        C("email", "str", "Work e-mail.", personal=True),
        C("phone", "str", "Phone number in national format.", personal=True),
        *_ADDRESS,
        C("hire_date", "date", "First day."),
        C("department_id", "int", "Department.", references="departments.department_id"),
        C("job_title", "str", "Job title."),
        C("job_level", "int", "1 junior .. 5 head of department (6: chief executive)."),
        C("manager_id", "int", "Line manager (none for the chief executive).",
          references="employees.employee_id", nullable=True),
        C("salary", "float", "Annual gross base salary."),
        C("contract_type", "str", "Kind of employment contract."),
        C("performance_rating", "int", "Last review, 1 (poor) to 5 (outstanding)."),
        C("absence_days", "int", "Days of absence over the last 12 months."),
    ), primary_key="employee_id"),
    Table("payroll", "Monthly payslips over the last 12 months of the history.", (
        C("payslip_id", "int", "Key."),
        C("employee_id", "int", "Employee.", references="employees.employee_id"),
        C("month", "date", "First day of the month paid."),
        C("gross_salary", "float", "Gross base pay for the month."),
        C("bonus", "float", "Bonus paid that month."),
        C("employer_contributions", "float", "Employer social contributions."),
        C("net_salary", "float", "Net pay."),
    ), primary_key="payslip_id"),
    Table("candidates", "People who applied for a job, with their CV.", (
        C("candidate_id", "int", "Key."),
        C("first_name", "str", "First name.", personal=True),
        C("last_name", "str", "Last name.", personal=True),
        C("gender", "str", "F or M, as declared."),
        C("birth_date", "date", "Date of birth.", personal=True),
        C("email", "str", "E-mail.", personal=True),
        C("phone", "str", "Phone number.", personal=True),
        C("city", "str", "City of residence."),
        C("education", "str", "Highest degree."),
        C("years_experience", "int", "Years of relevant experience."),
        C("cv_text_id", "str", "The CV in `texts`.", references="texts.text_id"),
    ), primary_key="candidate_id"),
    Table("applications", "Applications and the historical screening decision taken by recruiters.", (
        C("application_id", "int", "Key."),
        C("candidate_id", "int", "Candidate.", references="candidates.candidate_id"),
        C("department_id", "int", "Hiring department.", references="departments.department_id"),
        C("job_title", "str", "Position applied for."),
        C("applied_on", "date", "Date of application."),
        C("decision", "str", "Screening decision: advanced (to interview) or rejected."),
    ), primary_key="application_id"),
    Table("products", "The catalogue.", (
        C("product_id", "int", "Key."),
        C("sku", "str", "Stock-keeping unit."),
        C("name", "str", "Product name."),
        C("category", "str", "Category."),
        C("list_price", "float", "List price, before tax."),
        C("unit_cost", "float", "Cost of one unit."),
    ), primary_key="product_id"),
    Table("customers", "Customers, companies and people. Carries data-quality defects (see the data card).", (
        C("customer_id", "int", "Key."),
        C("customer_type", "str", "company or person."),
        C("company_name", "str", "Company name (companies).", nullable=True),
        C("company_number", "str", "SIREN (fr_FR) or EIN (en_US), companies only.", nullable=True),
        C("establishment_number", "str", "SIRET (fr_FR), companies only.", nullable=True),
        C("first_name", "str", "First name of the person or of the company's contact.", personal=True,
          nullable=True),
        C("last_name", "str", "Last name of the person or contact.", personal=True, nullable=True),
        C("email", "str", "E-mail.", personal=True, nullable=True),
        C("phone", "str", "Phone number.", personal=True, nullable=True),
        *_ADDRESS,
        C("bank_account", "str", "IBAN (fr_FR) or routing and account number (en_US).", personal=True),
        C("segment", "str", "Commercial segment."),
        C("signup_date", "date", "First became a customer."),
        C("price_index", "float", "Price paid relative to list price (0.85 = 15 % negotiated discount)."),
        C("churned", "bool", "Left within 6 months after the extract date."),
        C("churned_on", "date", "Date the customer left.", nullable=True),
    ), primary_key="customer_id"),
    Table("orders", "Customer orders.", (
        C("order_id", "int", "Key."),
        C("order_number", "str", "Order number printed on documents."),
        C("customer_id", "int", "Customer.", references="customers.customer_id"),
        C("sales_rep_id", "int", "Salesperson.", references="employees.employee_id"),
        C("order_date", "date", "Date ordered."),
        C("channel", "str", "web, phone or sales_rep."),
    ), primary_key="order_id"),
    Table("order_lines", "Lines of each order.", (
        C("order_line_id", "int", "Key."),
        C("order_id", "int", "Order.", references="orders.order_id"),
        C("product_id", "int", "Product.", references="products.product_id"),
        C("quantity", "int", "Units."),
        C("unit_price", "float", "Price per unit actually charged, before tax."),
        C("line_total", "float", "quantity x unit_price."),
    ), primary_key="order_line_id"),
    Table("invoices", "One invoice per order.", (
        C("invoice_id", "int", "Key."),
        C("invoice_number", "str", "Invoice number."),
        C("order_id", "int", "Order.", references="orders.order_id"),
        C("customer_id", "int", "Customer.", references="customers.customer_id"),
        C("issued_on", "date", "Issue date."),
        C("due_on", "date", "Due date."),
        C("amount_excl_tax", "float", "Amount before tax."),
        C("tax", "float", "VAT or sales tax."),
        C("amount_incl_tax", "float", "Amount to pay."),
    ), primary_key="invoice_id"),
    Table("payments", "Customer payments received.", (
        C("payment_id", "int", "Key."),
        C("invoice_id", "int", "Invoice paid.", references="invoices.invoice_id"),
        C("paid_on", "date", "Date received."),
        C("amount", "float", "Amount received."),
        C("bank_account", "str", "Payer's account.", personal=True),
    ), primary_key="payment_id"),
    Table("suppliers", "Suppliers the company pays.", (
        C("supplier_id", "int", "Key."),
        C("name", "str", "Supplier name."),
        C("company_number", "str", "SIREN (fr_FR) or EIN (en_US)."),
        C("category", "str", "What they supply."),
        C("bank_account", "str", "Bank account on file at the extract date."),
        C("city", "str", "City."),
    ), primary_key="supplier_id"),
    Table("supplier_invoices", "Invoices received from suppliers.", (
        C("supplier_invoice_id", "int", "Key."),
        C("supplier_id", "int", "Supplier.", references="suppliers.supplier_id"),
        C("invoice_number", "str", "Supplier's invoice number."),
        C("issued_on", "date", "Issue date."),
        C("amount", "float", "Amount including tax."),
    ), primary_key="supplier_invoice_id"),
    Table("supplier_payments", "Payments made to suppliers.", (
        C("supplier_payment_id", "int", "Key."),
        C("supplier_invoice_id", "int", "Invoice paid.", references="supplier_invoices.supplier_invoice_id"),
        C("paid_on", "date", "Date paid."),
        C("amount", "float", "Amount paid."),
        C("bank_account", "str", "Account the money was sent to."),
    ), primary_key="supplier_payment_id"),
    Table("supplier_bank_changes", "Changes of a supplier's bank details.", (
        C("change_id", "int", "Key."),
        C("supplier_id", "int", "Supplier.", references="suppliers.supplier_id"),
        C("changed_on", "date", "Date the new details were entered."),
        C("old_bank_account", "str", "Previous account."),
        C("new_bank_account", "str", "New account."),
    ), primary_key="change_id"),
    Table("tickets", "Customer support tickets; the message is in `texts`.", (
        C("ticket_id", "int", "Key."),
        C("customer_id", "int", "Customer.", references="customers.customer_id"),
        C("opened_on", "date", "Date opened."),
        C("channel", "str", "email, phone, web or chat."),
        C("category", "str", "delivery, billing, defect, return, cancellation, account."),
        C("priority", "str", "low, normal or high."),
        C("assigned_to", "int", "Support agent.", references="employees.employee_id"),
        C("satisfaction", "int", "Customer rating 1-5 after closing.", nullable=True),
        C("text_id", "str", "Message.", references="texts.text_id"),
    ), primary_key="ticket_id"),
    Table("emails", "Internal e-mails; the body is in `texts`.", (
        C("email_id", "int", "Key."),
        C("sender_id", "int", "Sender.", references="employees.employee_id"),
        C("recipient_id", "int", "Recipient.", references="employees.employee_id"),
        C("sent_on", "date", "Date sent."),
        C("subject", "str", "Subject line.", personal=True),
        C("text_id", "str", "Body.", references="texts.text_id"),
    ), primary_key="email_id"),
    Table("contracts", "Contracts with company customers; the clauses are in `texts`.", (
        C("contract_id", "int", "Key."),
        C("contract_number", "str", "Contract number."),
        C("customer_id", "int", "Customer.", references="customers.customer_id"),
        C("signed_on", "date", "Date signed."),
        C("text_id", "str", "Contract text.", references="texts.text_id"),
    ), primary_key="contract_id"),
    Table("texts", "Every free text (tickets, e-mails, CVs, contracts), also as JSONL per corpus.", (
        C("text_id", "str", "Key, e.g. ticket-000001."),
        C("corpus", "str", "tickets, emails, cvs or contracts."),
        C("language", "str", "fr or en."),
        C("text", "str", "The text; mentions people, phones, e-mails, addresses and ids.", personal=True),
    ), primary_key="text_id"),
    # Ground truth: trainers and grading only.
    Table("screening_truth", "Merit behind each screening decision, and the biased probability used.", (
        C("application_id", "int", "Application.", references="applications.application_id"),
        C("merit", "float", "Job-relevant merit, 0-1, independent of gender and age."),
        C("qualified", "bool", "Merit above the bar: should have advanced."),
        C("age_at_application", "int", "Age on the application date."),
        C("p_advance", "float", "Probability of advancing used by the biased recruiters."),
    ), visibility="answers", stored_in_sqlite=False),
    Table("invoice_anomalies", "The injected supplier-invoice anomalies.", (
        C("supplier_invoice_id", "int", "Anomalous invoice.", references="supplier_invoices.supplier_invoice_id"),
        C("anomaly_type", "str", "duplicate, amount_outlier or bank_change_before_payment."),
        C("related_invoice_id", "int", "The original invoice a duplicate copies.", nullable=True),
    ), visibility="answers", stored_in_sqlite=False),
    Table("churn_truth", "The drivers and probability behind each customer's churn.", (
        C("customer_id", "int", "Customer.", references="customers.customer_id"),
        C("tickets_last_year", "int", "Tickets opened in the 12 months before the extract."),
        C("tenure_years", "float", "Years as a customer at the extract date."),
        C("price_index", "float", "Price paid relative to list price."),
        C("p_churn", "float", "Churn probability used."),
    ), visibility="answers", stored_in_sqlite=False),
    Table("quality_defects", "Every injected data-quality defect in `customers`.", (
        C("customer_id", "int", "Affected row.", references="customers.customer_id"),
        C("column", "str", "Affected column (`*` for a duplicated row)."),
        C("defect", "str", "duplicate, missing or inconsistent_format."),
        C("duplicate_of", "int", "Original row of a duplicate.", nullable=True),
    ), visibility="answers", stored_in_sqlite=False),
    Table("contract_clauses", "What each contract says, and why it is risky.", (
        C("contract_id", "int", "Contract.", references="contracts.contract_id"),
        C("duration_months", "int", "Initial term."),
        C("auto_renewal", "bool", "Renews tacitly."),
        C("notice_days", "int", "Termination notice."),
        C("penalty_percent_per_week", "float", "Late-delivery penalty."),
        C("penalty_capped", "bool", "Penalties capped."),
        C("data_processing_compliant", "bool", "Processor clause under GDPR art. 28."),
        C("liability_capped", "bool", "Liability limited."),
        C("risky", "bool", "At least one risky clause."),
        C("risk_reasons", "str", "Semicolon-separated reasons."),
    ), visibility="answers", stored_in_sqlite=False),
)

CORPORA: tuple[TextCorpus, ...] = (
    TextCorpus("tickets", "Customer support messages.", "ticket", "tickets"),
    TextCorpus("emails", "Internal e-mails.", "email", "emails"),
    TextCorpus("cvs", "Candidates' CVs.", "cv", "candidates"),
    TextCorpus("contracts", "Contracts with company customers.", "contract", "contracts"),
)

TABLES_BY_NAME = {table.name: table for table in TABLES}


def table(name: str) -> Table:
    return TABLES_BY_NAME[name]
