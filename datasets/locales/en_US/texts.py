"""American English templates for tickets, internal e-mails, CVs and contracts.

Same fields as the French templates (see ``fr_FR/texts.py``).
"""

TICKET_OPENINGS = ("Hi,", "Hello,", "Hi there,", "To whom it may concern,", "Good morning,", "")

TICKET_BODIES = {
    "delivery": (
        "My order {order} was supposed to arrive on {date} and I still have nothing.",
        "The tracking for order {order} says delivered but nothing was left at my door.",
        "Order {order} arrived incomplete: the {product} is missing.",
    ),
    "billing": (
        "I was charged twice for invoice {invoice}. Please refund to account {bank_account}.",
        "I don't understand the ${amount} charge on invoice {invoice}.",
        "Can you resend invoice {invoice}? The debit from account {bank_account} bounced.",
    ),
    "defect": (
        "The {product} from order {order} arrived with a broken pole.",
        "The zipper on my {product} failed on the first trip. Not acceptable at this price.",
        "The {product} leaks, I want a replacement.",
    ),
    "return": (
        "I'd like to return the {product} (order {order}); it doesn't match the description.",
        "How do I send back the {product}? It's too small.",
    ),
    "cancellation": (
        "Please close my account, I've had too many problems this year.",
        "After repeated late deliveries we are considering another supplier.",
        "Please cancel order {order}, I found it cheaper elsewhere.",
    ),
    "account": (
        "Please update my shipping address to {address}.",
        "My email changed, the new one is {email}.",
        "I can't log in to my account with {email} anymore.",
    ),
}

TICKET_CONTACTS = (
    "You can reach me at {phone}.",
    "Please call me back at {phone} in the morning.",
    "My number: {phone}.",
    "Reply to {email} instead.",
    "Shipping address: {address}.",
    "Ph. {phone} / {email}",
    "",
)

TICKET_CLOSINGS = (
    "Thanks,\n{person}", "Regards,\n{person}", "Best,\n{person}", "{person}",
    "Thank you, {person}", "Cheers,\n{person}\n{phone}",
)

EMAIL_TOPICS = {
    "hr": (
        ("Employee file: {person}", "Hi {colleague},\n\nCan you update {person}'s file? "
         "New address: {address}. SSN on file is {national_id}.\n\nThanks,\n{sender}"),
        ("Medical leave", "{colleague},\n\n{person} is out until {date}. "
         "Emergency contact number: {phone}.\n\n{sender}"),
        ("Benefits enrollment", "Hello,\n\nThe insurer needs the SSN of {person}: {national_id}. "
         "Please double-check before sending.\n\n{sender}"),
        ("Annual review", "Hi {colleague},\n\n{person}'s annual review is on {date}. "
         "Reach them at {phone} or {email}.\n\n{sender}"),
    ),
    "finance": (
        ("Vendor bank details change", "Hi {colleague},\n\n{company} asks us to pay them at "
         "{bank_account} from now on. Their contact is {person} ({phone}).\n\nRegards,\n{sender}"),
        ("Overdue invoice {invoice}", "Hello,\n\nInvoice {invoice} for ${amount} is still unpaid. "
         "The customer, {person}, can be reached at {phone}.\n\n{sender}"),
        ("Expense report", "{colleague},\n\nPlease reimburse {person}'s expense report "
         "to account {bank_account}.\n\n{sender}"),
    ),
    "sales": (
        ("New account", "Hey {colleague},\n\nWe signed {company} (EIN {company_number}). "
         "Contact: {person}, {email}, {phone}.\n\n{sender}"),
        ("Meeting", "Hi {colleague},\n\nMeeting on {date} at {person}'s office, {address}. "
         "Their number just in case: {phone}.\n\n{sender}"),
        ("Quote", "Hi,\n\nCan you prepare a ${amount} quote for {company}? Send it to {email}.\n\n{sender}"),
    ),
    "support": (
        ("Unhappy customer", "{colleague},\n\n{person} called again ({phone}) about order {order}. "
         "Can you call them back?\n\n{sender}"),
        ("Goodwill credit", "Hi {colleague},\n\nApproved a ${amount} goodwill credit for {person} "
         "({email}).\n\n{sender}"),
    ),
    "it": (
        ("Access request", "Hi {colleague},\n\nPlease create an account for {person} ({email}), "
         "starting {date}.\n\n{sender}"),
        ("Password reset", "{colleague},\n\n{person} is locked out. Call them at {phone}.\n\n{sender}"),
    ),
}

CV_HEADER = "{person}\n{address}\n{phone} | {email}\n"
CV_BIRTH = ("Date of birth: {birth_date}", "Date of birth: {birth_date}")
CV_TITLE = "\nApplying for: {job_title}\n"
CV_EXPERIENCE = "\nEXPERIENCE\n"
CV_JOB_LINE = "{start}–{end}: {title}, {company}\n"
CV_EDUCATION = "\nEDUCATION\n{graduation_year}: {education}\n"
CV_SKILLS = "\nSKILLS\n{skills}\n"
CV_SKILLS_POOL = (
    "Advanced Excel", "SQL", "Python", "project management", "negotiation", "SAP", "Salesforce",
    "Spanish", "team leadership", "accounting", "employment law", "logistics", "Tableau",
    "customer success", "payroll", "digital marketing", "forklift certified", "CDL class A",
)

CONTRACT_TEMPLATE = (
    "MASTER SUPPLY AGREEMENT No. {contract_number}\n\n"
    "Between {our_company} (\"Supplier\") and {company}, EIN {company_number}, "
    "located at {address}, represented by {person} (\"Customer\").\n\n"
    "1. Scope. Supplier provides outdoor equipment and related services to Customer.\n\n"
    "2. Term. This Agreement has an initial term of {duration_months} months starting {start_date}. "
    "{renewal}\n\n"
    "3. Termination. Either party may terminate this Agreement with {notice_days} days' written notice.\n\n"
    "4. Late delivery. Supplier owes a penalty of {penalty}% of the order value per week of delay"
    "{penalty_cap}.\n\n"
    "{data_processing}"
    "6. Liability. {liability}\n\n"
    "Operational contact: {person}, {email}, {phone}.\n\n"
    "Signed in {city} on {start_date}.\n"
)
CONTRACT_RENEWAL = ("It renews automatically for successive 12-month periods.",
                    "It does not renew automatically.")
CONTRACT_PENALTY_CAP = (", capped at 10% of the total contract value", "")
CONTRACT_DATA_PROCESSING = (
    "5. Personal data. Supplier processes personal data only on Customer's documented instructions "
    "and as a processor under the applicable data protection laws.\n\n",
    "5. Data. Supplier may use any data provided by Customer for its own commercial purposes.\n\n",
)
CONTRACT_LIABILITY = (
    "Supplier's liability is capped at the annual contract value.",
    "Supplier is liable without limit for all direct and indirect damages.",
)
