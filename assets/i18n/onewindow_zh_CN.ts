<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name>Board</name>
    <message>
        <location filename="../../ui/board/texts.py" line="28"/>
        <source>Now calling</source>
        <translation>正在叫号</translation>
    </message>
    <message>
        <location filename="../../ui/board/texts.py" line="32"/>
        <source>Recent calls</source>
        <translation>最近叫号</translation>
    </message>
    <message>
        <location filename="../../ui/board/texts.py" line="36"/>
        <source>People waiting</source>
        <translation>等候人数</translation>
    </message>
    <message>
        <location filename="../../ui/board/texts.py" line="40"/>
        <source>No calls yet. Please wait for your number.</source>
        <translation>暂无叫号，请留意您的号码。</translation>
    </message>
    <message>
        <location filename="../../ui/board/texts.py" line="44"/>
        <source>Counter %1</source>
        <translation>%1 号窗口</translation>
    </message>
    <message>
        <location filename="../../ui/board/texts.py" line="48"/>
        <source>Connecting to the hall&apos;s queue server…</source>
        <translation>正在连接大厅叫号服务器…</translation>
    </message>
    <message>
        <location filename="../../ui/board/texts.py" line="52"/>
        <source>Queue server unreachable: showing the last calls received. Reconnecting…</source>
        <translation>暂时连不上叫号服务器：显示的是最后收到的叫号，正在重新连接…</translation>
    </message>
    <message>
        <location filename="../../ui/board/texts.py" line="57"/>
        <source>This board is not paired with the hall&apos;s queue server. Staff: onewindow queue pair CODE</source>
        <translation>本叫号屏尚未与大厅叫号服务器配对。工作人员请运行 onewindow queue pair 配对码</translation>
    </message>
    <message>
        <location filename="../../ui/board/texts.py" line="62"/>
        <source>Voice calls are unavailable; calling goes on as usual.</source>
        <translation>语音播报暂不可用，叫号照常进行。</translation>
    </message>
</context>
<context>
    <name>Counter</name>
    <message>
        <location filename="../../ui/counter/common.py" line="19"/>
        <location filename="../../ui/counter/worklist.py" line="24"/>
        <source>Kiosk</source>
        <translation>自助终端</translation>
    </message>
    <message>
        <location filename="../../ui/counter/common.py" line="19"/>
        <location filename="../../ui/counter/worklist.py" line="24"/>
        <source>Walk-in</source>
        <translation>窗口代办</translation>
    </message>
    <message>
        <location filename="../../ui/counter/common.py" line="19"/>
        <location filename="../../ui/counter/worklist.py" line="25"/>
        <source>Online</source>
        <translation>网上申请</translation>
    </message>
    <message>
        <location filename="../../ui/counter/common.py" line="20"/>
        <source>Command line</source>
        <translation>命令行</translation>
    </message>
    <message>
        <location filename="../../ui/counter/common.py" line="29"/>
        <source>Other</source>
        <translation>其他</translation>
    </message>
    <message>
        <location filename="../../ui/counter/common.py" line="37"/>
        <source>Overdue by %1 working days</source>
        <translation>已超期 %1 个工作日</translation>
    </message>
    <message>
        <location filename="../../ui/counter/common.py" line="38"/>
        <location filename="../../ui/counter/dashboard.py" line="33"/>
        <location filename="../../ui/counter/dashboard.py" line="184"/>
        <location filename="../../ui/counter/deadlines.py" line="24"/>
        <source>Overdue</source>
        <translation>已超期</translation>
    </message>
    <message>
        <location filename="../../ui/counter/common.py" line="41"/>
        <source>Due today</source>
        <translation>今天到期</translation>
    </message>
    <message>
        <location filename="../../ui/counter/common.py" line="42"/>
        <location filename="../../ui/counter/common.py" line="44"/>
        <source>%1 working days left</source>
        <translation>剩余 %1 个工作日</translation>
    </message>
    <message>
        <location filename="../../ui/counter/dashboard.py" line="32"/>
        <location filename="../../ui/counter/dashboard.py" line="160"/>
        <source>Applications</source>
        <translation>申请件数</translation>
    </message>
    <message>
        <location filename="../../ui/counter/dashboard.py" line="32"/>
        <source>Completed</source>
        <translation>已办结</translation>
    </message>
    <message>
        <location filename="../../ui/counter/dashboard.py" line="32"/>
        <source>Completed on time</source>
        <translation>按时办结率</translation>
    </message>
    <message>
        <location filename="../../ui/counter/dashboard.py" line="33"/>
        <source>Satisfied or very satisfied</source>
        <translation>满意及非常满意</translation>
    </message>
    <message>
        <location filename="../../ui/counter/dashboard.py" line="155"/>
        <source>Applications per day</source>
        <translation>每日申请量</translation>
    </message>
    <message>
        <location filename="../../ui/counter/dashboard.py" line="166"/>
        <source>Completion within the promised time</source>
        <translation>承诺时限内办结情况</translation>
    </message>
    <message>
        <location filename="../../ui/counter/dashboard.py" line="168"/>
        <source>On time</source>
        <translation>按时办结</translation>
    </message>
    <message>
        <location filename="../../ui/counter/dashboard.py" line="168"/>
        <source>Late</source>
        <translation>超期办结</translation>
    </message>
    <message>
        <location filename="../../ui/counter/dashboard.py" line="169"/>
        <source>Not finished yet</source>
        <translation>尚未办结</translation>
    </message>
    <message>
        <location filename="../../ui/counter/dashboard.py" line="176"/>
        <source>No cases in this period</source>
        <translation>该时段没有办件</translation>
    </message>
    <message>
        <location filename="../../ui/counter/dashboard.py" line="183"/>
        <source>Open cases by deadline</source>
        <translation>办件时限情况</translation>
    </message>
    <message>
        <location filename="../../ui/counter/dashboard.py" line="184"/>
        <location filename="../../ui/counter/deadlines.py" line="24"/>
        <source>Due within 2 working days</source>
        <translation>2个工作日内到期</translation>
    </message>
    <message>
        <location filename="../../ui/counter/dashboard.py" line="184"/>
        <source>Completed late</source>
        <translation>超期办结</translation>
    </message>
    <message>
        <location filename="../../ui/counter/dashboard.py" line="185"/>
        <source>Cases</source>
        <translation>办件</translation>
    </message>
    <message>
        <location filename="../../ui/counter/dashboard.py" line="187"/>
        <source>Satisfaction ratings</source>
        <translation>满意度评价</translation>
    </message>
    <message>
        <location filename="../../ui/counter/dashboard.py" line="190"/>
        <source>Ratings</source>
        <translation>评价</translation>
    </message>
    <message>
        <location filename="../../ui/counter/dashboard.py" line="199"/>
        <location filename="../../ui/counter/window.py" line="51"/>
        <source>Hall dashboard</source>
        <translation>大厅运行情况</translation>
    </message>
    <message>
        <location filename="../../ui/counter/dashboard.py" line="200"/>
        <source>Applications received in the chosen period and what became of them. Open data: onewindow report --from DATE --to DATE --format csv|json|xml|xlsx --out FILE</source>
        <translation>所选时段内收到的申请及办理结果。公开数据导出：onewindow report --from 日期 --to 日期 --format csv|json|xml|xlsx --out 文件</translation>
    </message>
    <message>
        <location filename="../../ui/counter/dashboard.py" line="202"/>
        <source>From</source>
        <translation>从</translation>
    </message>
    <message>
        <location filename="../../ui/counter/dashboard.py" line="203"/>
        <source>to</source>
        <translation>至</translation>
    </message>
    <message>
        <location filename="../../ui/counter/dashboard.py" line="206"/>
        <source>Last 7 days</source>
        <translation>最近7天</translation>
    </message>
    <message>
        <location filename="../../ui/counter/dashboard.py" line="207"/>
        <source>Last 30 days</source>
        <translation>最近30天</translation>
    </message>
    <message>
        <location filename="../../ui/counter/dashboard.py" line="208"/>
        <source>Show</source>
        <translation>查看</translation>
    </message>
    <message>
        <location filename="../../ui/counter/deadlines.py" line="23"/>
        <location filename="../../ui/counter/review.py" line="502"/>
        <location filename="../../ui/counter/worklist.py" line="28"/>
        <source>Deadline</source>
        <translation>办理时限</translation>
    </message>
    <message>
        <location filename="../../ui/counter/deadlines.py" line="23"/>
        <source>Promised by</source>
        <translation>承诺办结日期</translation>
    </message>
    <message>
        <location filename="../../ui/counter/deadlines.py" line="23"/>
        <location filename="../../ui/counter/review.py" line="500"/>
        <location filename="../../ui/counter/worklist.py" line="28"/>
        <source>Receipt no.</source>
        <translation>回执编号</translation>
    </message>
    <message>
        <location filename="../../ui/counter/appointments.py" line="25"/>
        <location filename="../../ui/counter/deadlines.py" line="23"/>
        <location filename="../../ui/counter/drafts.py" line="18"/>
        <location filename="../../ui/counter/walkin.py" line="230"/>
        <location filename="../../ui/counter/worklist.py" line="28"/>
        <source>Service item</source>
        <translation>办理事项</translation>
    </message>
    <message>
        <location filename="../../ui/counter/deadlines.py" line="23"/>
        <location filename="../../ui/counter/drafts.py" line="18"/>
        <location filename="../../ui/counter/review.py" line="500"/>
        <location filename="../../ui/counter/walkin.py" line="235"/>
        <location filename="../../ui/counter/worklist.py" line="28"/>
        <source>Applicant</source>
        <translation>申请人</translation>
    </message>
    <message>
        <location filename="../../ui/counter/deadlines.py" line="23"/>
        <location filename="../../ui/counter/review.py" line="501"/>
        <location filename="../../ui/counter/worklist.py" line="28"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../ui/counter/deadlines.py" line="23"/>
        <location filename="../../ui/counter/review.py" line="501"/>
        <location filename="../../ui/counter/worklist.py" line="28"/>
        <source>Source</source>
        <translation>来源</translation>
    </message>
    <message>
        <location filename="../../ui/counter/deadlines.py" line="25"/>
        <source>On track</source>
        <translation>时限充足</translation>
    </message>
    <message>
        <location filename="../../ui/counter/deadlines.py" line="95"/>
        <source>Deadlines for the whole hall</source>
        <translation>全大厅办理时限</translation>
    </message>
    <message>
        <location filename="../../ui/counter/deadlines.py" line="96"/>
        <source>Every open case in this hall, most urgent first, counted in working days (holidays and swapped weekends included). Double-click a case to open it.</source>
        <translation>本大厅所有未办结的办件，最紧急的排在前面，按工作日计算（已计入节假日和调休）。双击办件可打开。</translation>
    </message>
    <message>
        <location filename="../../ui/counter/deadlines.py" line="99"/>
        <source>Deadlines of my cases</source>
        <translation>我经办的办件时限</translation>
    </message>
    <message>
        <location filename="../../ui/counter/deadlines.py" line="100"/>
        <source>Open cases you have checked, taken or decided, most urgent first, counted in working days. Double-click a case to open it.</source>
        <translation>您核验、代办或作出决定的未办结办件，最紧急的排在前面，按工作日计算。双击办件可打开。</translation>
    </message>
    <message>
        <location filename="../../ui/counter/dialogs.py" line="34"/>
        <location filename="../../ui/counter/queue_parts.py" line="172"/>
        <location filename="../../ui/counter/review.py" line="377"/>
        <location filename="../../ui/counter/review.py" line="391"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../ui/counter/dialogs.py" line="49"/>
        <source>%1 of %2 characters</source>
        <translation>已写 %1 字，最多 %2 字</translation>
    </message>
    <message>
        <location filename="../../ui/counter/drafts.py" line="18"/>
        <source>Last saved</source>
        <translation>最后保存时间</translation>
    </message>
    <message>
        <location filename="../../ui/counter/appointments.py" line="24"/>
        <location filename="../../ui/counter/drafts.py" line="18"/>
        <location filename="../../ui/counter/review.py" line="500"/>
        <location filename="../../ui/counter/worklist.py" line="28"/>
        <source>ID number</source>
        <translation>身份证号码</translation>
    </message>
    <message>
        <location filename="../../ui/counter/drafts.py" line="18"/>
        <source>Files</source>
        <translation>文件数</translation>
    </message>
    <message>
        <location filename="../../ui/counter/drafts.py" line="75"/>
        <source>an unnamed applicant</source>
        <translation>未填姓名的申请人</translation>
    </message>
    <message>
        <location filename="../../ui/counter/drafts.py" line="76"/>
        <source>Discard this draft?</source>
        <translation>放弃这份草稿？</translation>
    </message>
    <message>
        <location filename="../../ui/counter/drafts.py" line="77"/>
        <source>The draft of %1 for “%2” and its scanned files will be deleted. This cannot be undone.</source>
        <translation>%1 的“%2”草稿及其扫描文件将被删除，且无法恢复。</translation>
    </message>
    <message>
        <location filename="../../ui/counter/drafts.py" line="79"/>
        <source>Discard</source>
        <translation>放弃</translation>
    </message>
    <message>
        <location filename="../../ui/counter/drafts.py" line="79"/>
        <source>Keep it</source>
        <translation>保留</translation>
    </message>
    <message>
        <location filename="../../ui/counter/drafts.py" line="83"/>
        <source>The draft was discarded.</source>
        <translation>草稿已放弃。</translation>
    </message>
    <message>
        <location filename="../../ui/counter/drafts.py" line="98"/>
        <source>%1 drafts</source>
        <translation>共 %1 份草稿</translation>
    </message>
    <message>
        <location filename="../../ui/counter/drafts.py" line="99"/>
        <source>No drafts are waiting.</source>
        <translation>没有待处理的草稿。</translation>
    </message>
    <message>
        <location filename="../../ui/counter/drafts.py" line="103"/>
        <source>Unfinished drafts</source>
        <translation>未完成的草稿</translation>
    </message>
    <message>
        <location filename="../../ui/counter/drafts.py" line="105"/>
        <source>Applications a kiosk saved but never submitted (a crash, a power cut, or a citizen who came to the counter for help). Resume one to finish it with the applicant, or discard it.</source>
        <translation>自助终端保存但未提交的申请（设备故障、停电，或群众到窗口求助）。可与申请人一起继续办理，或放弃。</translation>
    </message>
    <message>
        <location filename="../../ui/counter/drafts.py" line="108"/>
        <source>Resume with the applicant</source>
        <translation>与申请人继续办理</translation>
    </message>
    <message>
        <location filename="../../ui/counter/drafts.py" line="109"/>
        <source>Discard…</source>
        <translation>放弃…</translation>
    </message>
    <message>
        <location filename="../../ui/counter/login.py" line="83"/>
        <source>Enter your user name and password.</source>
        <translation>请输入用户名和密码。</translation>
    </message>
    <message>
        <location filename="../../ui/counter/login.py" line="125"/>
        <source>This counter is locked</source>
        <translation>窗口已锁定</translation>
    </message>
    <message>
        <location filename="../../ui/counter/login.py" line="126"/>
        <source>%1 (%2) is logged in. Enter the password to continue where you left off.</source>
        <translation>当前登录：%1（%2）。输入密码后回到锁定前的页面。</translation>
    </message>
    <message>
        <location filename="../../ui/counter/login.py" line="129"/>
        <source>Counter login</source>
        <translation>窗口登录</translation>
    </message>
    <message>
        <location filename="../../ui/counter/login.py" line="130"/>
        <source>Log in with your staff account. The counter locks itself when nobody has used it for a while.</source>
        <translation>请使用工作人员账号登录。一段时间无人操作时，窗口会自动锁定。</translation>
    </message>
    <message>
        <location filename="../../ui/counter/login.py" line="135"/>
        <source>User name</source>
        <translation>用户名</translation>
    </message>
    <message>
        <location filename="../../ui/counter/login.py" line="136"/>
        <source>Password</source>
        <translation>密码</translation>
    </message>
    <message>
        <location filename="../../ui/counter/login.py" line="139"/>
        <source>Unlock</source>
        <translation>解锁</translation>
    </message>
    <message>
        <location filename="../../ui/counter/login.py" line="139"/>
        <source>Log in</source>
        <translation>登录</translation>
    </message>
    <message>
        <location filename="../../ui/counter/login.py" line="140"/>
        <source>Switch user</source>
        <translation>切换用户</translation>
    </message>
    <message>
        <location filename="../../ui/counter/review.py" line="45"/>
        <source>Not checked yet</source>
        <translation>未核验</translation>
    </message>
    <message>
        <location filename="../../ui/counter/review.py" line="46"/>
        <location filename="../../ui/counter/review.py" line="492"/>
        <source>Present and valid</source>
        <translation>已提交且合格</translation>
    </message>
    <message>
        <location filename="../../ui/counter/review.py" line="47"/>
        <location filename="../../ui/counter/review.py" line="493"/>
        <source>Missing</source>
        <translation>缺少</translation>
    </message>
    <message>
        <location filename="../../ui/counter/review.py" line="48"/>
        <location filename="../../ui/counter/review.py" line="494"/>
        <source>Not acceptable</source>
        <translation>不合格</translation>
    </message>
    <message>
        <location filename="../../ui/counter/review.py" line="238"/>
        <location filename="../../ui/counter/review.py" line="288"/>
        <source>Loading…</source>
        <translation>正在载入…</translation>
    </message>
    <message>
        <location filename="../../ui/counter/review.py" line="283"/>
        <source>To hand in at the counter: the citizen brings this material to the counter. Check the paper.</source>
        <translation>需到窗口提交：申请人将把这份材料交到窗口，请核验纸质材料。</translation>
    </message>
    <message>
        <location filename="../../ui/counter/review.py" line="286"/>
        <location filename="../../ui/counter/review.py" line="460"/>
        <source>No file was provided for this material.</source>
        <translation>该材料没有提交文件。</translation>
    </message>
    <message>
        <location filename="../../ui/counter/review.py" line="310"/>
        <source>File %1 of %2, its page %3 of %4</source>
        <translation>第 %1 个文件（共 %2 个），第 %3 页（共 %4 页）</translation>
    </message>
    <message>
        <location filename="../../ui/counter/review.py" line="332"/>
        <source>Write the reason first: the applicant reads it on the supplement notice.</source>
        <translation>请先填写原因：申请人会在补正通知书上看到。</translation>
    </message>
    <message>
        <location filename="../../ui/counter/review.py" line="375"/>
        <source>Accept this application?</source>
        <translation>受理这份申请？</translation>
    </message>
    <message>
        <location filename="../../ui/counter/review.py" line="376"/>
        <source>The acceptance notice will print, and the platform is told when the link is up.</source>
        <translation>将打印受理通知书，网络连通后通知平台。</translation>
    </message>
    <message>
        <location filename="../../ui/counter/review.py" line="377"/>
        <location filename="../../ui/counter/review.py" line="496"/>
        <source>Accept</source>
        <translation>受理</translation>
    </message>
    <message>
        <location filename="../../ui/counter/review.py" line="386"/>
        <source>First mark which materials are missing or not acceptable.</source>
        <translation>请先标出缺少或不合格的材料。</translation>
    </message>
    <message>
        <location filename="../../ui/counter/review.py" line="389"/>
        <source>Ask for supplementary materials?</source>
        <translation>要求补正材料？</translation>
    </message>
    <message>
        <location filename="../../ui/counter/review.py" line="390"/>
        <source>The supplement notice will print and name these materials:</source>
        <translation>将打印补正材料通知书，列明以下材料：</translation>
    </message>
    <message>
        <location filename="../../ui/counter/review.py" line="391"/>
        <source>Ask for supplements</source>
        <translation>要求补正</translation>
    </message>
    <message>
        <location filename="../../ui/counter/review.py" line="398"/>
        <source>Reject this application</source>
        <translation>不予受理</translation>
    </message>
    <message>
        <location filename="../../ui/counter/review.py" line="399"/>
        <source>Write the reason for the rejection (at most %1 characters). The applicant and the platform will see it.</source>
        <translation>请填写不予受理的理由（最多 %1 字），申请人和平台都会看到。</translation>
    </message>
    <message>
        <location filename="../../ui/counter/review.py" line="401"/>
        <source>Reject</source>
        <translation>不予受理</translation>
    </message>
    <message>
        <location filename="../../ui/counter/review.py" line="423"/>
        <source>Accepted. The decision is saved and goes to the platform with the next sync.</source>
        <translation>已受理。决定已保存，将在下次同步时报送平台。</translation>
    </message>
    <message>
        <location filename="../../ui/counter/review.py" line="424"/>
        <source>Supplements requested. The decision is saved and goes to the platform with the next sync.</source>
        <translation>已要求补正。决定已保存，将在下次同步时报送平台。</translation>
    </message>
    <message>
        <location filename="../../ui/counter/review.py" line="426"/>
        <source>Rejected. The decision is saved and goes to the platform with the next sync.</source>
        <translation>已不予受理。决定已保存，将在下次同步时报送平台。</translation>
    </message>
    <message>
        <location filename="../../ui/counter/review.py" line="442"/>
        <source>Accept is unavailable while a material is marked missing or not acceptable: ask for supplements instead.</source>
        <translation>有材料标为缺少或不合格时不能受理，请改为要求补正。</translation>
    </message>
    <message>
        <location filename="../../ui/counter/review.py" line="445"/>
        <source>Accept becomes available once every required material is checked.</source>
        <translation>所有必交材料核验完毕后才能受理。</translation>
    </message>
    <message>
        <location filename="../../ui/counter/review.py" line="447"/>
        <source>A material marked valid has no file: scan it first.</source>
        <translation>有材料标为合格但没有文件，请先扫描。</translation>
    </message>
    <message>
        <location filename="../../ui/counter/review.py" line="472"/>
        <source>Check a material</source>
        <translation>核验材料</translation>
    </message>
    <message>
        <location filename="../../ui/counter/review.py" line="485"/>
        <source>Back to the work list</source>
        <translation>返回待办列表</translation>
    </message>
    <message>
        <location filename="../../ui/counter/review.py" line="486"/>
        <location filename="../../ui/counter/walkin.py" line="237"/>
        <source>Materials</source>
        <translation>申请材料</translation>
    </message>
    <message>
        <location filename="../../ui/counter/review.py" line="487"/>
        <source>Form</source>
        <translation>申请表内容</translation>
    </message>
    <message>
        <location filename="../../ui/counter/review.py" line="488"/>
        <source>Reason (needed for missing or not acceptable):</source>
        <translation>原因（缺少或不合格时必填）：</translation>
    </message>
    <message>
        <location filename="../../ui/counter/review.py" line="489"/>
        <source>e.g. the front page of the household register is missing</source>
        <translation>例如：户口簿首页缺失</translation>
    </message>
    <message>
        <location filename="../../ui/counter/review.py" line="495"/>
        <source>Decision</source>
        <translation>审核决定</translation>
    </message>
    <message>
        <location filename="../../ui/counter/review.py" line="497"/>
        <source>Ask for supplements (prints the notice)</source>
        <translation>要求补正（打印补正通知书）</translation>
    </message>
    <message>
        <location filename="../../ui/counter/review.py" line="498"/>
        <source>Reject with a reason…</source>
        <translation>不予受理（需填写理由）…</translation>
    </message>
    <message>
        <location filename="../../ui/counter/review.py" line="500"/>
        <location filename="../../ui/counter/worklist.py" line="28"/>
        <source>Case no.</source>
        <translation>办件编号</translation>
    </message>
    <message>
        <location filename="../../ui/counter/review.py" line="501"/>
        <source>Phone</source>
        <translation>电话</translation>
    </message>
    <message>
        <location filename="../../ui/counter/review.py" line="501"/>
        <location filename="../../ui/counter/worklist.py" line="26"/>
        <location filename="../../ui/counter/worklist.py" line="29"/>
        <source>Submitted</source>
        <translation>提交时间</translation>
    </message>
    <message>
        <location filename="../../ui/counter/review.py" line="507"/>
        <source>Review an application</source>
        <translation>审核申请</translation>
    </message>
    <message>
        <location filename="../../ui/counter/review.py" line="516"/>
        <source>Review: %1</source>
        <translation>审核：%1</translation>
    </message>
    <message>
        <location filename="../../ui/counter/review.py" line="517"/>
        <source>Look at every page, mark each material, then decide. Everything is saved on this counter at once and sent to the platform when the link is up.</source>
        <translation>逐页查看，逐项核验材料，再作决定。所有操作立即保存在本机，网络连通后报送平台。</translation>
    </message>
    <message>
        <location filename="../../ui/counter/onsite.py" line="67"/>
        <location filename="../../ui/counter/review.py" line="533"/>
        <source>required</source>
        <translation>必交</translation>
    </message>
    <message>
        <location filename="../../ui/counter/onsite.py" line="67"/>
        <location filename="../../ui/counter/review.py" line="533"/>
        <source>optional</source>
        <translation>选交</translation>
    </message>
    <message>
        <location filename="../../ui/counter/review.py" line="534"/>
        <source>Pages: %1</source>
        <translation>共 %1 页</translation>
    </message>
    <message>
        <location filename="../../ui/counter/review.py" line="534"/>
        <source>no file</source>
        <translation>未提交</translation>
    </message>
    <message>
        <location filename="../../ui/counter/review.py" line="536"/>
        <source>To hand in at the counter</source>
        <translation>需到窗口提交</translation>
    </message>
    <message>
        <location filename="../../ui/counter/review.py" line="542"/>
        <source>%1 of %2 materials checked; %3 missing or not acceptable.</source>
        <translation>已核验 %1/%2 项材料，其中 %3 项缺少或不合格。</translation>
    </message>
    <message>
        <location filename="../../ui/counter/review.py" line="545"/>
        <source>Decided: %1</source>
        <translation>已决定：%1</translation>
    </message>
    <message>
        <location filename="../../ui/counter/viewer.py" line="202"/>
        <source>Page %1 of %2</source>
        <translation>第 %1 页 / 共 %2 页</translation>
    </message>
    <message>
        <location filename="../../ui/counter/viewer.py" line="233"/>
        <source>Previous page</source>
        <translation>上一页</translation>
    </message>
    <message>
        <location filename="../../ui/counter/viewer.py" line="234"/>
        <source>Next page</source>
        <translation>下一页</translation>
    </message>
    <message>
        <location filename="../../ui/counter/viewer.py" line="235"/>
        <source>Zoom out</source>
        <translation>缩小</translation>
    </message>
    <message>
        <location filename="../../ui/counter/viewer.py" line="236"/>
        <source>Zoom in</source>
        <translation>放大</translation>
    </message>
    <message>
        <location filename="../../ui/counter/viewer.py" line="237"/>
        <source>Whole page</source>
        <translation>整页</translation>
    </message>
    <message>
        <location filename="../../ui/counter/viewer.py" line="238"/>
        <source>Page width</source>
        <translation>适合宽度</translation>
    </message>
    <message>
        <location filename="../../ui/counter/walkin.py" line="178"/>
        <source>This material is required. Scan or import it, or mark it after the applicant brings it.</source>
        <translation>这是必交材料，请扫描或导入。</translation>
    </message>
    <message>
        <location filename="../../ui/counter/walkin.py" line="183"/>
        <source>Some answers need attention; each is marked where it is.</source>
        <translation>有些内容需要修改，已在相应位置标出。</translation>
    </message>
    <message>
        <location filename="../../ui/counter/walkin.py" line="204"/>
        <source>Submitted. Give the applicant the receipt number; check the originals now with “Review it now”.</source>
        <translation>已提交。请将回执编号告知申请人；可点击“立即审核”当场核验原件。</translation>
    </message>
    <message>
        <location filename="../../ui/counter/walkin.py" line="223"/>
        <source>Take a walk-in&apos;s application</source>
        <translation>窗口代办申请</translation>
    </message>
    <message>
        <location filename="../../ui/counter/walkin.py" line="225"/>
        <source>Finishing a draft a kiosk saved. Check every answer with the applicant, add what is missing, then submit.</source>
        <translation>正在继续办理自助终端保存的草稿。请与申请人逐项核对，补齐缺少的内容后提交。</translation>
    </message>
    <message>
        <location filename="../../ui/counter/walkin.py" line="228"/>
        <source>The same form and materials as at the kiosk. Type what the applicant tells you, scan or import each material, then submit.</source>
        <translation>与自助终端相同的申请表和材料。按申请人所述填写，逐项扫描或导入材料，然后提交。</translation>
    </message>
    <message>
        <location filename="../../ui/counter/walkin.py" line="236"/>
        <source>Application form</source>
        <translation>申请表</translation>
    </message>
    <message>
        <location filename="../../ui/counter/walkin.py" line="243"/>
        <source>Start again</source>
        <translation>重新开始</translation>
    </message>
    <message>
        <location filename="../../ui/counter/walkin.py" line="244"/>
        <source>Submit the application</source>
        <translation>提交申请</translation>
    </message>
    <message>
        <location filename="../../ui/counter/walkin.py" line="245"/>
        <source>Review it now</source>
        <translation>立即审核</translation>
    </message>
    <message>
        <location filename="../../ui/counter/window.py" line="46"/>
        <location filename="../../ui/counter/worklist.py" line="195"/>
        <source>Work list</source>
        <translation>待办列表</translation>
    </message>
    <message>
        <location filename="../../ui/counter/queue.py" line="370"/>
        <location filename="../../ui/counter/window.py" line="45"/>
        <location filename="../../ui/counter/window.py" line="493"/>
        <location filename="../../ui/counter/window.py" line="506"/>
        <source>Queue</source>
        <translation>叫号</translation>
    </message>
    <message>
        <location filename="../../ui/counter/window.py" line="46"/>
        <source>Take a walk-in</source>
        <translation>窗口代办</translation>
    </message>
    <message>
        <location filename="../../ui/counter/window.py" line="47"/>
        <source>Drafts</source>
        <translation>草稿</translation>
    </message>
    <message>
        <location filename="../../ui/counter/window.py" line="48"/>
        <source>Deadlines</source>
        <translation>办理时限</translation>
    </message>
    <message>
        <location filename="../../ui/counter/window.py" line="48"/>
        <source>Appointments</source>
        <translation>预约</translation>
    </message>
    <message>
        <location filename="../../ui/counter/window.py" line="49"/>
        <source>Online cases</source>
        <translation>网办件核验</translation>
    </message>
    <message>
        <location filename="../../ui/counter/print_queue.py" line="130"/>
        <location filename="../../ui/counter/window.py" line="50"/>
        <source>Print queue</source>
        <translation>打印队列</translation>
    </message>
    <message>
        <location filename="../../ui/counter/window.py" line="483"/>
        <source>Switch the language to English</source>
        <translation>切换为英文（English）</translation>
    </message>
    <message>
        <location filename="../../ui/counter/window.py" line="485"/>
        <source>Lock</source>
        <translation>锁定</translation>
    </message>
    <message>
        <location filename="../../ui/counter/window.py" line="486"/>
        <source>Log out</source>
        <translation>退出登录</translation>
    </message>
    <message>
        <location filename="../../ui/counter/worklist.py" line="24"/>
        <source>All sources</source>
        <translation>全部来源</translation>
    </message>
    <message>
        <location filename="../../ui/counter/worklist.py" line="26"/>
        <source>All waiting</source>
        <translation>全部待办</translation>
    </message>
    <message>
        <location filename="../../ui/counter/worklist.py" line="26"/>
        <source>Received by the platform</source>
        <translation>平台已接收</translation>
    </message>
    <message>
        <location filename="../../ui/counter/worklist.py" line="27"/>
        <source>Supplementary materials needed</source>
        <translation>需补正材料</translation>
    </message>
    <message>
        <location filename="../../ui/counter/worklist.py" line="158"/>
        <source>Nothing found for “%1”. Check the number, or ask the applicant for the receipt.</source>
        <translation>没有找到“%1”。请核对号码，或请申请人出示回执。</translation>
    </message>
    <message>
        <location filename="../../ui/counter/worklist.py" line="188"/>
        <source>%1 found for “%2”</source>
        <translation>“%2”的查找结果：%1 件</translation>
    </message>
    <message>
        <location filename="../../ui/counter/worklist.py" line="191"/>
        <source>%1 applications waiting</source>
        <translation>共 %1 件待办</translation>
    </message>
    <message>
        <location filename="../../ui/counter/worklist.py" line="196"/>
        <source>Applications from this hall&apos;s kiosks, walk-ins and online cases to check in person. Scan a receipt&apos;s QR code or bar code at any time to open it.</source>
        <translation>本大厅自助终端和窗口收件，以及需到现场核验原件的网上申请。随时扫描回执上的二维码或条码即可打开。</translation>
    </message>
    <message>
        <location filename="../../ui/counter/worklist.py" line="198"/>
        <source>Receipt no., case no. or ID number — or scan the receipt</source>
        <translation>回执编号、办件编号或身份证号码——或直接扫描回执</translation>
    </message>
    <message>
        <location filename="../../ui/counter/worklist.py" line="201"/>
        <source>Search</source>
        <translation>查找</translation>
    </message>
    <message>
        <location filename="../../ui/counter/worklist.py" line="202"/>
        <source>Show all</source>
        <translation>显示全部</translation>
    </message>
    <message>
        <location filename="../../ui/counter/worklist.py" line="203"/>
        <source>Source:</source>
        <translation>来源：</translation>
    </message>
    <message>
        <location filename="../../ui/counter/worklist.py" line="204"/>
        <source>Status:</source>
        <translation>状态：</translation>
    </message>
    <message>
        <location filename="../../ui/counter/worklist.py" line="209"/>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <location filename="../../ui/counter/worklist.py" line="210"/>
        <source>Open for review</source>
        <translation>打开审核</translation>
    </message>
    <message>
        <location filename="../../ui/counter/print_queue.py" line="22"/>
        <source>Job</source>
        <translation>任务</translation>
    </message>
    <message>
        <location filename="../../ui/counter/print_queue.py" line="22"/>
        <source>Queued at</source>
        <translation>排队时间</translation>
    </message>
    <message>
        <location filename="../../ui/counter/print_queue.py" line="23"/>
        <source>Document</source>
        <translation>文书</translation>
    </message>
    <message>
        <location filename="../../ui/counter/print_queue.py" line="23"/>
        <source>Receipt number</source>
        <translation>回执编号</translation>
    </message>
    <message>
        <location filename="../../ui/counter/appointments.py" line="23"/>
        <location filename="../../ui/counter/print_queue.py" line="24"/>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../ui/counter/appointments.py" line="23"/>
        <source>Time slot</source>
        <translation>预约时段</translation>
    </message>
    <message>
        <location filename="../../ui/counter/appointments.py" line="24"/>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <location filename="../../ui/counter/appointments.py" line="25"/>
        <source>Checked in, ticket</source>
        <translation>签到时间、号票</translation>
    </message>
    <message>
        <location filename="../../ui/counter/appointments.py" line="26"/>
        <source>Booking code</source>
        <translation>预约码</translation>
    </message>
    <message>
        <location filename="../../ui/counter/appointments.py" line="30"/>
        <source>Booked, not arrived</source>
        <translation>已预约，未到</translation>
    </message>
    <message>
        <location filename="../../ui/counter/appointments.py" line="31"/>
        <source>Arrived</source>
        <translation>已到（已签到）</translation>
    </message>
    <message>
        <location filename="../../ui/counter/appointments.py" line="32"/>
        <source>No-show</source>
        <translation>爽约（未到）</translation>
    </message>
    <message>
        <location filename="../../ui/counter/appointments.py" line="33"/>
        <source>Cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <location filename="../../ui/counter/appointments.py" line="147"/>
        <source>Today&apos;s appointments (%1)</source>
        <translation>今日预约（%1）</translation>
    </message>
    <message>
        <location filename="../../ui/counter/appointments.py" line="148"/>
        <source>Bookings for this hall today, by time slot: who has arrived (checked in at a kiosk) and who has not. The list refreshes by itself.</source>
        <translation>本大厅今天的预约，按时段排列：谁已到（已在自助终端签到），谁还没到。列表会自动刷新。</translation>
    </message>
    <message>
        <location filename="../../ui/counter/appointments.py" line="150"/>
        <source>No bookings for today. Bookings reach this counter with each sync.</source>
        <translation>今天没有预约。预约信息随每次同步传到本窗口。</translation>
    </message>
    <message>
        <location filename="../../ui/counter/print_queue.py" line="24"/>
        <source>What happened</source>
        <translation>情况说明</translation>
    </message>
    <message>
        <location filename="../../ui/counter/print_queue.py" line="116"/>
        <source>The printer took it and said nothing after: check the paper slot.</source>
        <translation>打印机已接收但之后没有回应：请查看出纸口。</translation>
    </message>
    <message>
        <location filename="../../ui/counter/print_queue.py" line="118"/>
        <source>reprint</source>
        <translation>补打</translation>
    </message>
    <message>
        <location filename="../../ui/counter/print_queue.py" line="125"/>
        <source>%1 print jobs need you</source>
        <translation>有 %1 个打印任务需要您处理</translation>
    </message>
    <message>
        <location filename="../../ui/counter/print_queue.py" line="125"/>
        <source>1 print job needs you</source>
        <translation>有 1 个打印任务需要您处理</translation>
    </message>
    <message>
        <location filename="../../ui/counter/print_queue.py" line="126"/>
        <source>No print job needs you.</source>
        <translation>没有需要您处理的打印任务。</translation>
    </message>
    <message>
        <location filename="../../ui/counter/print_queue.py" line="132"/>
        <source>Receipts and notices the printer never confirmed, or that cannot print. Look at the printer: if the paper is there, confirm it; if not, print it again (it is marked as a reprint).</source>
        <translation>打印机没有确认或无法打印的回执和通知书。请查看打印机：纸已打出的，请确认；没有打出的，请重新打印（会标注“补打”）。</translation>
    </message>
    <message>
        <location filename="../../ui/counter/print_queue.py" line="135"/>
        <source>It printed</source>
        <translation>已打印</translation>
    </message>
    <message>
        <location filename="../../ui/counter/print_queue.py" line="136"/>
        <source>Print it again</source>
        <translation>重新打印</translation>
    </message>
    <message>
        <location filename="../../ui/counter/queue_parts.py" line="68"/>
        <source>No ticket at this counter</source>
        <translation>本窗口暂无号票</translation>
    </message>
    <message>
        <location filename="../../ui/counter/queue_parts.py" line="69"/>
        <source>Press “Call next” when you are ready for the next citizen.</source>
        <translation>准备好接待下一位群众时，请按“呼叫下一位”。</translation>
    </message>
    <message>
        <location filename="../../ui/counter/queue_parts.py" line="78"/>
        <source>took the ticket at %1, %2 min ago</source>
        <translation>%1 取号，已等 %2 分钟</translation>
    </message>
    <message>
        <location filename="../../ui/counter/queue_parts.py" line="82"/>
        <source>Being served since %1</source>
        <translation>%1 起正在办理</translation>
    </message>
    <message>
        <location filename="../../ui/counter/queue_parts.py" line="85"/>
        <source>called %1 times</source>
        <translation>已呼叫 %1 次</translation>
    </message>
    <message>
        <location filename="../../ui/counter/queue_parts.py" line="86"/>
        <source>Called at %1, on the way</source>
        <translation>%1 已呼叫，群众正在前来</translation>
    </message>
    <message>
        <location filename="../../ui/counter/queue_parts.py" line="169"/>
        <source>Send this citizen to which counter?</source>
        <translation>请选择要转去的窗口：</translation>
    </message>
    <message>
        <location filename="../../ui/counter/queue_parts.py" line="170"/>
        <source>Or enter the counter number:</source>
        <translation>或输入窗口号：</translation>
    </message>
    <message>
        <location filename="../../ui/counter/queue_parts.py" line="171"/>
        <source>Transfer</source>
        <translation>转窗口</translation>
    </message>
    <message>
        <location filename="../../ui/counter/dashboard_queue.py" line="107"/>
        <location filename="../../ui/counter/queue.py" line="329"/>
        <location filename="../../ui/counter/queue_parts.py" line="174"/>
        <source>Counter %1</source>
        <translation>%1 号窗口</translation>
    </message>
    <message>
        <location filename="../../ui/counter/queue_parts.py" line="208"/>
        <source>%1 waiting</source>
        <translation>%1 人等候</translation>
    </message>
    <message>
        <location filename="../../ui/counter/queue_parts.py" line="233"/>
        <source>since %1 (%2 min)</source>
        <translation>%1 起（%2 分钟）</translation>
    </message>
    <message>
        <location filename="../../ui/counter/queue_parts.py" line="235"/>
        <source>Kiosk %1 asks for help at “%2”, %3</source>
        <translation>自助机 %1 在“%2”步骤请求协助，%3</translation>
    </message>
    <message>
        <location filename="../../ui/counter/queue_parts.py" line="238"/>
        <source>%1 is on the way</source>
        <translation>%1 正在前往</translation>
    </message>
    <message>
        <location filename="../../ui/counter/queue_parts.py" line="240"/>
        <source>I&apos;ll go</source>
        <translation>我去协助</translation>
    </message>
    <message>
        <location filename="../../ui/counter/queue.py" line="218"/>
        <source>Nothing was changed; try again when the queue server is back.</source>
        <translation>未做任何更改；请待叫号服务器恢复后再试。</translation>
    </message>
    <message>
        <location filename="../../ui/counter/queue.py" line="226"/>
        <source>Nobody is waiting in this counter&apos;s lines.</source>
        <translation>本窗口的业务类别目前没有人在等候。</translation>
    </message>
    <message>
        <location filename="../../ui/counter/queue.py" line="264"/>
        <source>%1 sent to counter %2.</source>
        <translation>%1 已转到 %2 号窗口。</translation>
    </message>
    <message>
        <location filename="../../ui/counter/queue.py" line="273"/>
        <source>The kiosk now tells the citizen that you are coming.</source>
        <translation>自助机已告知群众：工作人员马上就到。</translation>
    </message>
    <message>
        <location filename="../../ui/counter/queue.py" line="285"/>
        <source>Ticket %1 is linked to %2.</source>
        <translation>号票 %1 已关联到 %2。</translation>
    </message>
    <message>
        <location filename="../../ui/counter/queue.py" line="293"/>
        <source>Ticket %1 could not be linked to %2: %3</source>
        <translation>号票 %1 未能关联到 %2：%3</translation>
    </message>
    <message>
        <location filename="../../ui/counter/queue.py" line="315"/>
        <source>Close this counter</source>
        <translation>关闭本窗口</translation>
    </message>
    <message>
        <location filename="../../ui/counter/queue.py" line="315"/>
        <source>Open this counter</source>
        <translation>开放本窗口</translation>
    </message>
    <message>
        <location filename="../../ui/counter/queue.py" line="321"/>
        <source>This counter takes no part in a hall queue: no queue server is set up (hall_url).</source>
        <translation>本窗口未参加大厅排队叫号：没有设置叫号服务器（hall_url）。</translation>
    </message>
    <message>
        <location filename="../../ui/counter/queue.py" line="323"/>
        <source>The hall&apos;s queue server cannot be reached. Calling is paused; everything else at this counter works as usual. The panel reconnects by itself.</source>
        <translation>暂时无法连接大厅叫号服务器，叫号已暂停；本窗口的其他业务照常办理。连接恢复后自动继续。</translation>
    </message>
    <message>
        <location filename="../../ui/counter/queue.py" line="326"/>
        <source>Asking the queue server…</source>
        <translation>正在连接叫号服务器…</translation>
    </message>
    <message>
        <location filename="../../ui/counter/queue.py" line="329"/>
        <source>This counter</source>
        <translation>本窗口</translation>
    </message>
    <message>
        <location filename="../../ui/counter/queue.py" line="331"/>
        <source>open for calls from %1</source>
        <translation>已开放，叫号类别：%1</translation>
    </message>
    <message>
        <location filename="../../ui/counter/queue.py" line="333"/>
        <source>closed: open it to call</source>
        <translation>未开放：开放后才能叫号</translation>
    </message>
    <message>
        <location filename="../../ui/counter/queue.py" line="371"/>
        <source>Call the next citizen, start and finish the service, or send them to another counter. What you file while serving a ticket is linked to it.</source>
        <translation>呼叫下一位群众，开始和结束办理，或转到其他窗口。办理期间受理的申请会自动关联到该号票。</translation>
    </message>
    <message>
        <location filename="../../ui/counter/queue.py" line="373"/>
        <source>Call next</source>
        <translation>呼叫下一位</translation>
    </message>
    <message>
        <location filename="../../ui/counter/queue.py" line="374"/>
        <source>Call again</source>
        <translation>重新呼叫</translation>
    </message>
    <message>
        <location filename="../../ui/counter/queue.py" line="375"/>
        <source>Start service</source>
        <translation>开始办理</translation>
    </message>
    <message>
        <location filename="../../ui/counter/queue.py" line="376"/>
        <source>Finish</source>
        <translation>办结</translation>
    </message>
    <message>
        <location filename="../../ui/counter/dashboard_queue.py" line="126"/>
        <location filename="../../ui/counter/queue.py" line="377"/>
        <source>Did not come</source>
        <translation>过号（未到）</translation>
    </message>
    <message>
        <location filename="../../ui/counter/queue.py" line="378"/>
        <source>Transfer…</source>
        <translation>转窗口…</translation>
    </message>
    <message>
        <location filename="../../ui/counter/queue.py" line="379"/>
        <source>Waiting now</source>
        <translation>当前等候</translation>
    </message>
    <message>
        <location filename="../../ui/counter/queue.py" line="380"/>
        <source>Kiosks asking for help</source>
        <translation>请求协助的自助机</translation>
    </message>
    <message>
        <location filename="../../ui/counter/queue.py" line="381"/>
        <source>No kiosk is asking for help.</source>
        <translation>目前没有自助机请求协助。</translation>
    </message>
    <message>
        <location filename="../../ui/counter/dashboard_queue.py" line="88"/>
        <source>The queue figures are missing: the hall&apos;s queue server could not be asked (%1). They are not zero; look again later.</source>
        <translation>叫号统计缺失：无法查询大厅叫号服务器（%1）。这不代表数字为零，请稍后再看。</translation>
    </message>
    <message>
        <location filename="../../ui/counter/dashboard_queue.py" line="102"/>
        <source>Average wait by hour of the ticket (minutes)</source>
        <translation>按取号时段的平均等候时间（分钟）</translation>
    </message>
    <message>
        <location filename="../../ui/counter/dashboard_queue.py" line="104"/>
        <location filename="../../ui/counter/dashboard_queue.py" line="108"/>
        <source>Minutes</source>
        <translation>分钟</translation>
    </message>
    <message>
        <location filename="../../ui/counter/dashboard_queue.py" line="106"/>
        <source>Idle time per counter while open (minutes)</source>
        <translation>各窗口开放期间的空闲时间（分钟）</translation>
    </message>
    <message>
        <location filename="../../ui/counter/dashboard_queue.py" line="118"/>
        <source>Hall queue</source>
        <translation>大厅排队叫号</translation>
    </message>
    <message>
        <location filename="../../ui/counter/dashboard_queue.py" line="124"/>
        <source>Tickets issued</source>
        <translation>取号数</translation>
    </message>
    <message>
        <location filename="../../ui/counter/dashboard_queue.py" line="124"/>
        <source>Served</source>
        <translation>已办结</translation>
    </message>
    <message>
        <location filename="../../ui/counter/dashboard_queue.py" line="125"/>
        <source>Average wait (min)</source>
        <translation>平均等候（分钟）</translation>
    </message>
    <message>
        <location filename="../../ui/counter/dashboard_queue.py" line="125"/>
        <source>Average walk to the counter (min)</source>
        <translation>平均到窗时间（分钟）</translation>
    </message>
    <message>
        <location filename="../../ui/counter/dashboard_queue.py" line="126"/>
        <source>Average service (min)</source>
        <translation>平均办理（分钟）</translation>
    </message>
    <message>
        <location filename="../../ui/counter/dashboard_queue.py" line="127"/>
        <source>Served after waiting at most %1 min</source>
        <translation>等候不超过 %1 分钟的占比</translation>
    </message>
    <message>
        <location filename="../../ui/counter/onsite.py" line="24"/>
        <location filename="../../ui/counter/prereview_text.py" line="15"/>
        <source>Passed the online pre-review</source>
        <translation>网上预审已通过</translation>
    </message>
    <message>
        <location filename="../../ui/counter/onsite.py" line="25"/>
        <location filename="../../ui/counter/prereview_text.py" line="17"/>
        <source>Original to be checked here</source>
        <translation>须在窗口核验原件</translation>
    </message>
    <message>
        <location filename="../../ui/counter/onsite.py" line="26"/>
        <source>Not pre-reviewed: check the original here</source>
        <translation>未经预审，须在窗口核验原件</translation>
    </message>
    <message>
        <location filename="../../ui/counter/onsite.py" line="27"/>
        <source>Not handed in (optional)</source>
        <translation>未提交（非必需）</translation>
    </message>
    <message>
        <location filename="../../ui/counter/onsite.py" line="35"/>
        <location filename="../../ui/counter/prereview_text.py" line="13"/>
        <source>Original seen at %1</source>
        <translation>已于 %1 核验原件</translation>
    </message>
    <message>
        <location filename="../../ui/counter/onsite.py" line="72"/>
        <source>I have seen the original</source>
        <translation>已核验原件</translation>
    </message>
    <message>
        <location filename="../../ui/counter/onsite.py" line="143"/>
        <source>Place the ID card on the reader…</source>
        <translation>请将身份证放在读卡器上……</translation>
    </message>
    <message>
        <location filename="../../ui/counter/onsite.py" line="214"/>
        <source>Case %1 is completed at the window: accepted, in %2 visit(s).</source>
        <translation>案件 %1 已在窗口办结：已受理，申请人到场 %2 次。</translation>
    </message>
    <message>
        <location filename="../../ui/counter/onsite.py" line="219"/>
        <source>The acceptance notice is printing.</source>
        <translation>受理通知书正在打印。</translation>
    </message>
    <message>
        <location filename="../../ui/counter/onsite.py" line="243"/>
        <source>Place the citizen&apos;s ID card on the reader, or type the number.</source>
        <translation>请将申请人的身份证放在读卡器上，或输入号码。</translation>
    </message>
    <message>
        <location filename="../../ui/counter/onsite.py" line="245"/>
        <source>No online application of this citizen is waiting for a visit.</source>
        <translation>该申请人没有待到窗口核验的网上申请。</translation>
    </message>
    <message>
        <location filename="../../ui/counter/onsite.py" line="247"/>
        <source>%1 online application(s) waiting for this visit.</source>
        <translation>有 %1 件网上申请待本次核验。</translation>
    </message>
    <message>
        <location filename="../../ui/counter/onsite.py" line="266"/>
        <source>Pre-reviewed online by %1 on %2.</source>
        <translation>已由 %1 于 %2 网上预审。</translation>
    </message>
    <message>
        <location filename="../../ui/counter/onsite.py" line="269"/>
        <source>Note: %1</source>
        <translation>预审意见：%1</translation>
    </message>
    <message>
        <location filename="../../ui/counter/onsite.py" line="271"/>
        <source>The platform has not pre-reviewed this case: check every original.</source>
        <translation>平台尚未预审这件申请：请核验全部原件。</translation>
    </message>
    <message>
        <location filename="../../ui/counter/onsite.py" line="281"/>
        <source>Files are still coming from the platform; sync first.</source>
        <translation>文件仍在从平台下载，请先联网同步。</translation>
    </message>
    <message>
        <location filename="../../ui/counter/onsite.py" line="283"/>
        <source>%1 original(s) still to check.</source>
        <translation>尚有 %1 项原件待核验。</translation>
    </message>
    <message>
        <location filename="../../ui/counter/onsite.py" line="285"/>
        <source>Every original is checked: the case can be completed.</source>
        <translation>原件已全部核验，可以办结。</translation>
    </message>
    <message>
        <location filename="../../ui/counter/onsite.py" line="290"/>
        <source>Online case at the window</source>
        <translation>网办件核验</translation>
    </message>
    <message>
        <location filename="../../ui/counter/onsite.py" line="291"/>
        <source>For citizens who applied online: see what the platform&apos;s pre-review passed, check the originals it asked for, and complete the case in this one visit.</source>
        <translation>为网上申请的群众办理：查看平台预审已通过的材料，核验须见原件的材料，本次到场即可办结。</translation>
    </message>
    <message>
        <location filename="../../ui/counter/onsite.py" line="294"/>
        <source>Read ID card</source>
        <translation>读取身份证</translation>
    </message>
    <message>
        <location filename="../../ui/counter/onsite.py" line="295"/>
        <source>ID number, case number or receipt number</source>
        <translation>身份证号、案件号或回执编号</translation>
    </message>
    <message>
        <location filename="../../ui/counter/onsite.py" line="297"/>
        <source>Find</source>
        <translation>查找</translation>
    </message>
    <message>
        <location filename="../../ui/counter/onsite.py" line="298"/>
        <source>Complete</source>
        <translation>办结</translation>
    </message>
    <message>
        <location filename="../../ui/counter/onsite.py" line="299"/>
        <source>Online applications</source>
        <translation>网上申请</translation>
    </message>
    <message>
        <location filename="../../ui/counter/licence_info.py" line="66"/>
        <source>Copy the identifier</source>
        <translation>复制证照标识</translation>
    </message>
    <message>
        <location filename="../../ui/counter/licence_info.py" line="73"/>
        <source>Licence</source>
        <translation>证照</translation>
    </message>
    <message>
        <location filename="../../ui/counter/licence_info.py" line="74"/>
        <source>Identifier</source>
        <translation>证照标识</translation>
    </message>
    <message>
        <location filename="../../ui/counter/licence_info.py" line="75"/>
        <source>Issued by</source>
        <translation>颁发机构</translation>
    </message>
    <message>
        <location filename="../../ui/counter/licence_info.py" line="76"/>
        <source>Validity</source>
        <translation>有效期</translation>
    </message>
    <message>
        <location filename="../../ui/counter/licence_info.py" line="81"/>
        <source>The file is the annotated copy made for this application only.</source>
        <translation>文件为仅供本次申请使用的加注件。</translation>
    </message>
</context>
<context>
    <name>ImportFileDialog</name>
    <message>
        <location filename="../../ui/dialogs.py" line="50"/>
        <source>Choose a file to import</source>
        <translation>选择要导入的文件</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="51"/>
        <source>Images or PDF (*.jpg *.jpeg *.png *.tif *.tiff *.webp *.pdf)</source>
        <translation>图片或 PDF（*.jpg *.jpeg *.png *.tif *.tiff *.webp *.pdf）</translation>
    </message>
</context>
<context>
    <name>Kiosk</name>
    <message>
        <location filename="../../ui/kiosk/idle.py" line="44"/>
        <location filename="../../ui/kiosk/idle.py" line="55"/>
        <source>Are you still there?</source>
        <translation>您还在吗？</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/idle.py" line="45"/>
        <location filename="../../ui/kiosk/idle.py" line="56"/>
        <source>%1 seconds</source>
        <translation>%1 秒</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/idle.py" line="51"/>
        <source>To protect your privacy, this session will end and what you entered will be cleared from the screen. Touch the screen anywhere to continue.</source>
        <translation>为保护您的隐私，本次办理即将结束，您填写的内容将从屏幕上清除。触摸屏幕任意位置即可继续。</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/idle.py" line="47"/>
        <source>I need more time</source>
        <translation>我需要更多时间</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/overlay.py" line="199"/>
        <source>Leave this application?</source>
        <translation>离开本次申请吗？</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/overlay.py" line="200"/>
        <source>What you have entered will be cleared from this kiosk.</source>
        <translation>您已填写的内容将从本机清除。</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/overlay.py" line="201"/>
        <source>Yes, leave and clear</source>
        <translation>是，离开并清除</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/overlay.py" line="201"/>
        <source>No, continue</source>
        <translation>不，继续办理</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/base.py" line="83"/>
        <source>Back</source>
        <translation>返回</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/base.py" line="84"/>
        <source>Next</source>
        <translation>下一步</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/browser.py" line="139"/>
        <source>All services</source>
        <translation>全部事项</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/browser.py" line="183"/>
        <source>Done on the spot</source>
        <translation>当场办结</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/browser.py" line="184"/>
        <source>Done within %1 working days</source>
        <translation>%1 个工作日办结</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/browser.py" line="191"/>
        <source>Services found: %1. Tap one to read its guide.</source>
        <translation>找到 %1 项服务，点击查看办事指南。</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/browser.py" line="194"/>
        <source>No service matches your search. Try fewer characters, or the first letters of the pinyin (for example sfz for 身份证).</source>
        <translation>没有找到匹配的事项。请减少输入的字，或输入拼音首字母（如“身份证”输入 sfz）。</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/browser.py" line="200"/>
        <source>Choose a service</source>
        <translation>选择办理事项</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/browser.py" line="201"/>
        <source>Search by name or by the first letters of its pinyin, or browse by department or by life event.</source>
        <translation>可按名称或拼音首字母搜索，也可以按部门或主题查找。</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/browser.py" line="203"/>
        <source>Search, e.g. 身份证 or sfz</source>
        <translation>搜索，如 身份证 或 sfz</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/browser.py" line="205"/>
        <source>By department</source>
        <translation>按部门</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/browser.py" line="206"/>
        <source>By life event</source>
        <translation>按主题</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/form.py" line="97"/>
        <source>Fill in the form: %1</source>
        <translation>填写申请表：%1</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/form.py" line="98"/>
        <source>Items marked (required) must be filled in. Your answers are saved as you go.</source>
        <translation>标有“（必填）”的项目必须填写。您填写的内容会随时保存。</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/guide.py" line="31"/>
        <source>Free of charge</source>
        <translation>不收费</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/guide.py" line="32"/>
        <source>%1 yuan</source>
        <translation>%1 元</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/guide.py" line="37"/>
        <source>required</source>
        <translation>必交</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/guide.py" line="37"/>
        <source>if applicable</source>
        <translation>如适用</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/guide.py" line="40"/>
        <source>Time limit</source>
        <translation>办理时限</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/guide.py" line="41"/>
        <source>Done within %1 working days (the law allows %2).</source>
        <translation>承诺 %1 个工作日内办结（法定时限 %2 个工作日）。</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/guide.py" line="43"/>
        <source>Fee</source>
        <translation>收费标准</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/guide.py" line="44"/>
        <source>Materials to bring</source>
        <translation>申请材料</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/guide.py" line="45"/>
        <source>Who can apply</source>
        <translation>申请条件</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/guide.py" line="46"/>
        <source>Where and how</source>
        <translation>办理地点与方式</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/guide.py" line="47"/>
        <source>Type and legal basis</source>
        <translation>事项类型与设定依据</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/guide.py" line="52"/>
        <source>Start my application</source>
        <translation>开始申请</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/guide.py" line="54"/>
        <source>Please read the guide. The ● materials are required; have them ready to scan.</source>
        <translation>请阅读办事指南。标 ● 的材料为必交材料，请准备好以便扫描。</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/identity.py" line="128"/>
        <source>Lay your ID card flat on the reader and it is read by itself. Or type your details below.</source>
        <translation>请把身份证平放在阅读器上，会自动读取；也可以在下面输入您的信息。</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/identity.py" line="131"/>
        <source>Or type your details below.</source>
        <translation>也可以在下方手动填写。</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/identity.py" line="145"/>
        <source>Who is applying?</source>
        <translation>申请人是谁？</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/identity.py" line="146"/>
        <source>Place your ID card on the reader, or type your details. We check each one as soon as you finish it.</source>
        <translation>请将身份证放在阅读器上，或手动填写。每填完一项，系统会立即检查。</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/checkin.py" line="170"/>
        <location filename="../../ui/kiosk/screens/identity.py" line="148"/>
        <source>Read my ID card</source>
        <translation>读取身份证</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/materials.py" line="158"/>
        <source>This material is required. Please import it from a USB stick, or choose “Hand in at the counter”.</source>
        <translation>这份材料是必交的。请从U盘导入，或点“到窗口提交”。</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/materials.py" line="160"/>
        <source>This material is required. Please scan, photograph or import it.</source>
        <translation>这是必交材料，请扫描、拍摄或导入。</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/materials.py" line="171"/>
        <source>Lay each page under the document camera: it is photographed by itself once it holds still. Check the picture; you can retake or delete a page. You can also import a file from a USB stick.</source>
        <translation>请把材料逐页平放在高拍仪下，放稳后会自动拍照。请看一下拍好的照片，可以重拍或删除。也可以从U盘导入文件。</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/materials.py" line="175"/>
        <source>Import each material from a USB stick, or hand it in at the counter.</source>
        <translation>请从U盘导入每份材料，或者选择到窗口提交。</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/materials.py" line="179"/>
        <source>Provide your materials</source>
        <translation>提交材料</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/materials.py" line="180"/>
        <source>This kiosk cannot photograph or scan papers right now. You can import files from a USB stick, or choose “Hand in at the counter” for a material and bring the paper to the counter after you submit: you can still finish your application here.</source>
        <translation>本机现在不能拍摄或扫描纸质材料。您可以从U盘导入文件，或者在材料旁点“到窗口提交”，提交申请后把纸质材料交到窗口。您仍然可以在这里办完申请。</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/materials.py" line="177"/>
        <source>For each material, put it on the scanner or under the camera, or import a file. Check the pictures; you can retake or delete a page.</source>
        <translation>请逐项将材料放在扫描仪上或高拍仪下，或导入文件。请核对图片，可以重拍或删除。</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/progress.py" line="203"/>
        <source>Or lay your ID card on the reader to see all your applications made at this kiosk.</source>
        <translation>也可以把身份证放在阅读器上，查看您在本机办理的全部申请。</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/progress.py" line="243"/>
        <source>Status</source>
        <translation>办理状态</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/progress.py" line="244"/>
        <source>Note</source>
        <translation>说明</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/progress.py" line="245"/>
        <source>Promised completion</source>
        <translation>承诺办结日期</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/progress.py" line="253"/>
        <source>Source: the platform</source>
        <translation>来源：政务服务平台</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/progress.py" line="254"/>
        <source>Source: this kiosk&apos;s records</source>
        <translation>来源：本机记录</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/progress.py" line="256"/>
        <source>No application with this number was found. Please check the number or ask the hall staff.</source>
        <translation>没有找到该编号的申请。请核对编号，或咨询大厅工作人员。</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/progress.py" line="264"/>
        <source>Check progress</source>
        <translation>办件查询</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/progress.py" line="265"/>
        <source>Type the receipt number printed on your receipt, then tap Look up, or hold the receipt&apos;s QR code to the scanner.</source>
        <translation>请输入回执编号，再点“查询”；也可以把回执上的二维码对准扫码器。</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/progress.py" line="267"/>
        <source>Look up</source>
        <translation>查询</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/rating.py" line="125"/>
        <source>Rate our service</source>
        <translation>服务评价</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/rating.py" line="126"/>
        <source>How satisfied are you with this service? Tap one of the five choices.</source>
        <translation>您对本次服务满意吗？请点击五个选项之一。</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/rating.py" line="127"/>
        <location filename="../../ui/kiosk/screens/result.py" line="113"/>
        <source>Finish</source>
        <translation>完成</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/rating.py" line="127"/>
        <source>Send my rating</source>
        <translation>提交评价</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/rating.py" line="129"/>
        <source>Please tell us why (choose one):</source>
        <translation>请告诉我们原因（选择一项）：</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/rating.py" line="130"/>
        <source>Anything else you would like to tell us (optional)</source>
        <translation>您还想告诉我们什么（选填）</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/rating.py" line="132"/>
        <source>Thank you. Your rating has been recorded and helps us improve.</source>
        <translation>谢谢！您的评价已记录，将帮助我们改进服务。</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/result.py" line="101"/>
        <source>Printing your receipt…</source>
        <translation>正在打印回执……</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/result.py" line="114"/>
        <source>Rate this service</source>
        <translation>评价本次服务</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/result.py" line="115"/>
        <source>Your application has been submitted</source>
        <translation>申请已提交</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/result.py" line="116"/>
        <source>Keep your receipt. You can check progress here with the receipt number, or scan the QR code with your phone.</source>
        <translation>请妥善保管回执。您可以凭回执编号在本机查询进度，也可以用手机扫描二维码查询。</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/progress.py" line="242"/>
        <location filename="../../ui/kiosk/screens/result.py" line="118"/>
        <source>Receipt number</source>
        <translation>回执编号</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/result.py" line="122"/>
        <source>Promised completion: by %1</source>
        <translation>承诺办结日期：%1 前</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/result.py" line="123"/>
        <source>Scan to check progress</source>
        <translation>扫码查询进度</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/review.py" line="40"/>
        <source>Submitting…</source>
        <translation>正在提交……</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/review.py" line="40"/>
        <source>Submit</source>
        <translation>提交</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/review.py" line="49"/>
        <source>Change</source>
        <translation>修改</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/review.py" line="65"/>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/review.py" line="66"/>
        <source>ID number</source>
        <translation>身份证号码</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/review.py" line="67"/>
        <source>Mobile</source>
        <translation>手机号码</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/review.py" line="68"/>
        <source>(not filled in)</source>
        <translation>（未填写）</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/review.py" line="69"/>
        <source>Pages: %1</source>
        <translation>共 %1 页</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/review.py" line="70"/>
        <source>Not provided</source>
        <translation>未提交</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/review.py" line="86"/>
        <source>To hand in at the counter</source>
        <translation>需到窗口提交</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/review.py" line="93"/>
        <source>Service</source>
        <translation>办理事项</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/review.py" line="94"/>
        <source>Applicant</source>
        <translation>申请人</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/review.py" line="95"/>
        <source>Your answers</source>
        <translation>填写内容</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/review.py" line="96"/>
        <location filename="../../ui/kiosk/top_bar.py" line="72"/>
        <source>Materials</source>
        <translation>材料</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/review.py" line="107"/>
        <source>Check and submit</source>
        <translation>核对并提交</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/review.py" line="108"/>
        <source>Please check your application. Tap Change to correct anything, then tap Submit.</source>
        <translation>请核对申请内容。如需更正请点“修改”，确认无误后点“提交”。</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/welcome.py" line="249"/>
        <source>Welcome to %1</source>
        <translation>欢迎来到%1</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/welcome.py" line="250"/>
        <source>What would you like to do? Tap one of the large buttons below.</source>
        <translation>请问您要办理什么？请点击下方的大按钮。</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/welcome.py" line="251"/>
        <source>Take a number</source>
        <translation>取号</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/welcome.py" line="252"/>
        <source>Check in for an appointment</source>
        <translation>预约签到</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/welcome.py" line="253"/>
        <source>Apply for a service</source>
        <translation>我要办事</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/welcome.py" line="254"/>
        <source>Check the progress of an application</source>
        <translation>查询办理进度</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/welcome.py" line="255"/>
        <source>Rate a service</source>
        <translation>评价服务</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/welcome.py" line="256"/>
        <source>You can switch the language, make the text larger or have this page read aloud with the buttons at the top. If you need help, tap “Ask staff for help” at the top.</source>
        <translation>您可以用顶部的按钮切换语言、放大字体或朗读本页。需要帮助时，请点顶部的“请工作人员协助”。</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/top_bar.py" line="70"/>
        <source>Self-service kiosk</source>
        <translation>自助服务终端</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/top_bar.py" line="72"/>
        <source>Identity</source>
        <translation>身份</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/top_bar.py" line="72"/>
        <source>Form</source>
        <translation>填表</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/top_bar.py" line="73"/>
        <source>Check</source>
        <translation>核对</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/top_bar.py" line="73"/>
        <source>Receipt</source>
        <translation>回执</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/top_bar.py" line="74"/>
        <source>Step %1 of %2: %3</source>
        <translation>第 %1 步，共 %2 步：%3</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/top_bar.py" line="79"/>
        <source>Switch the language to English</source>
        <translation>切换为英文（English）</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/top_bar.py" line="82"/>
        <source>Large text</source>
        <translation>大字模式</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/top_bar.py" line="83"/>
        <source>Read aloud</source>
        <translation>朗读</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/top_bar.py" line="84"/>
        <source>Home</source>
        <translation>首页</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/top_bar.py" line="85"/>
        <source>Ask staff for help</source>
        <translation>请工作人员协助</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/top_bar.py" line="120"/>
        <source>OK</source>
        <translation>知道了</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/usb_picker.py" line="198"/>
        <source>This file is no longer on the USB stick. Please choose another one.</source>
        <translation>U盘上已经没有这个文件了，请选择其他文件。</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/usb_picker.py" line="211"/>
        <source>Please insert a USB stick (U disk). Its pictures and PDF files will appear here.</source>
        <translation>请插入U盘。U盘里的图片和PDF文件会显示在这里。</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/usb_picker.py" line="215"/>
        <source>No pictures or PDF files were found on the USB stick %1.</source>
        <translation>U盘 %1 里没有找到图片或PDF文件。</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/usb_picker.py" line="218"/>
        <source>USB stick %1: tap the file to use.</source>
        <translation>U盘 %1：请点选要使用的文件。</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/usb_picker.py" line="222"/>
        <source>Import from a USB stick</source>
        <translation>从U盘导入</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/usb_picker.py" line="223"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/camera_capture.py" line="158"/>
        <source>Retake</source>
        <translation>重拍</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/camera_capture.py" line="160"/>
        <source>Every material is provided.</source>
        <translation>所有材料都已提供。</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/camera_capture.py" line="161"/>
        <source>Tap “Next” to go on.</source>
        <translation>请点“下一步”继续。</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/camera_capture.py" line="164"/>
        <source>Now photographing: %1</source>
        <translation>正在拍摄：%1</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/camera_capture.py" line="168"/>
        <source>Photo taken. Preparing the page…</source>
        <translation>已拍照，正在处理…</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/camera_capture.py" line="170"/>
        <source>Starting the document camera…</source>
        <translation>正在打开高拍仪…</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/camera_capture.py" line="172"/>
        <source>Lay the page flat under the camera, then take your hands away.</source>
        <translation>请把材料平放在高拍仪下，然后把手拿开。</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/camera_capture.py" line="174"/>
        <location filename="../../ui/kiosk/camera_capture.py" line="176"/>
        <source>Hold the page still.</source>
        <translation>请保持不动。</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/camera_capture.py" line="178"/>
        <source>The photo is taken in %1 s.</source>
        <translation>%1 秒后自动拍照。</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/camera_capture.py" line="180"/>
        <source>Photo taken. Lay the next page, or tap “Retake”.</source>
        <translation>已拍好。请放下一页，或点“重拍”。</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/voice.py" line="89"/>
        <source>text field</source>
        <translation>输入框</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/voice.py" line="92"/>
        <source>button</source>
        <translation>按钮</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/voice.py" line="94"/>
        <source>selected</source>
        <translation>已选中</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/session_end.py" line="39"/>
        <source>Your application has been submitted. Please keep your receipt. Your details have been cleared from this screen.</source>
        <translation>您的申请已提交，请妥善保管回执。您的信息已从屏幕上清除。</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/session_end.py" line="42"/>
        <source>Your session ended because the screen was not used. What you entered has been kept at this hall as an unfinished application: bring your ID card to a counter and the staff will continue it with you. It has been cleared from this screen.</source>
        <translation>由于长时间无操作，本次办理已结束。您填写的内容已作为草稿保存在本大厅，请携带身份证到服务窗口，工作人员会帮您继续办理。屏幕上的内容已清除。</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/session_end.py" line="46"/>
        <source>Your session ended because the screen was not used. What you entered could not be saved in full and has been cleared from this screen. Please start again or ask the hall staff.</source>
        <translation>由于长时间无操作，本次办理已结束。您填写的内容未能完整保存，已从屏幕上清除。请重新办理，或咨询大厅工作人员。</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/session_end.py" line="50"/>
        <source>Your session ended because the screen was not used. Nothing you entered was kept.</source>
        <translation>由于长时间无操作，本次操作已结束，未保存任何内容。</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/session_end.py" line="53"/>
        <source>You left the application. What you entered has been deleted and not kept.</source>
        <translation>您已退出本次办理，填写的内容已删除，未保存。</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/session_end.py" line="54"/>
        <source>You left the application. It has been cleared from this screen, but a copy saved earlier could not be deleted; the hall staff will remove it.</source>
        <translation>您已退出本次办理，屏幕上的内容已清除，但之前自动保存的草稿未能删除，工作人员会处理。</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/help.py" line="73"/>
        <source>Telling the staff…</source>
        <translation>正在通知工作人员…</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/help.py" line="75"/>
        <source>Staff have been told, please wait.</source>
        <translation>已通知工作人员，请稍候。</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/help.py" line="77"/>
        <source>Someone is coming to help you.</source>
        <translation>工作人员马上就到。</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/help.py" line="79"/>
        <source>Please go to the service desk.</source>
        <translation>请到服务台找工作人员。</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/ticket.py" line="83"/>
        <source>Which service do you need?</source>
        <translation>您要办理哪类业务？</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/ticket.py" line="84"/>
        <source>Tap the line for your service. You will get a number and wait to be called to a counter.</source>
        <translation>请点按您要办理的业务。取号后请等候叫号，到窗口办理。</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/ticket.py" line="87"/>
        <source>Loading the lines…</source>
        <translation>正在读取业务列表…</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/ticket.py" line="90"/>
        <source>Numbers cannot be taken at this kiosk right now. Please go to the service desk.</source>
        <translation>本机暂时不能取号，请到服务台找工作人员。</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/ticket.py" line="112"/>
        <source>Senior (elderly)</source>
        <translation>老年人</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/ticket.py" line="114"/>
        <source>Person with a disability</source>
        <translation>残疾人</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/ticket.py" line="116"/>
        <source>Booked appointment</source>
        <translation>已预约</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/ticket.py" line="117"/>
        <source>Regular (no priority)</source>
        <translation>普通号（不需要优先）</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/ticket.py" line="164"/>
        <source>Do you need priority?</source>
        <translation>您需要优先办理吗？</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/ticket.py" line="165"/>
        <source>Older people, people with disabilities and people with a booked appointment are called first. If none of these applies to you, tap Regular.</source>
        <translation>老年人、残疾人和已预约的办事群众优先叫号。如果都不是，请点“普通号”。</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/checkin_result.py" line="81"/>
        <location filename="../../ui/kiosk/screens/ticket.py" line="168"/>
        <location filename="../../ui/kiosk/screens/ticket_result.py" line="141"/>
        <source>Service: %1</source>
        <translation>业务：%1</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/ticket.py" line="171"/>
        <source>Taking your number…</source>
        <translation>正在取号，请稍候…</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/ticket_result.py" line="113"/>
        <source>Printing your ticket…</source>
        <translation>正在打印号票…</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/ticket_result.py" line="115"/>
        <source>Please take your ticket.</source>
        <translation>号票已打印，请取走号票。</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/ticket_result.py" line="128"/>
        <source>People ahead of you: %1</source>
        <translation>前面还有 %1 人</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/ticket_result.py" line="133"/>
        <source>You will be called soon.</source>
        <translation>很快就会叫到您。</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/ticket_result.py" line="134"/>
        <source>Estimated wait: about %1 minutes</source>
        <translation>预计等候约 %1 分钟</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/checkin_result.py" line="123"/>
        <location filename="../../ui/kiosk/screens/ticket_result.py" line="138"/>
        <source>Done</source>
        <translation>完成</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/ticket_result.py" line="139"/>
        <source>Your number</source>
        <translation>您的号码</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/ticket_result.py" line="143"/>
        <source>Priority: %1</source>
        <translation>优先：%1</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/ticket_result.py" line="147"/>
        <source>Scan to see your place in the line</source>
        <translation>扫码查看排队进度</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/ticket_result.py" line="148"/>
        <source>This number was issued by this kiosk while the queue server could not be reached. It is valid as usual; please watch the call board.</source>
        <translation>叫号系统暂时连接不上，本号码由本机发出，照常有效，请留意叫号屏。</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/ticket_result.py" line="155"/>
        <source>Your number is %1. People ahead of you: %2.</source>
        <translation>您的号码是 %1，前面还有 %2 人。</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/licence_consent.py" line="240"/>
        <source>Used: %1. You need not hand these in.</source>
        <translation>已调用：%1。这些材料免提交。</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/licence_consent.py" line="246"/>
        <source>Asking the licence library…</source>
        <translation>正在查询电子证照库……</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/licence_consent.py" line="248"/>
        <source>Using your licences…</source>
        <translation>正在调用您的电子证照……</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/licence_consent.py" line="254"/>
        <source>Please provide the materials concerned on paper in the next steps.</source>
        <translation>请在后面的步骤中照常提交相关材料的纸质件。</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/licence_consent.py" line="261"/>
        <source>No electronic licence of yours can stand for these materials. Please provide them on paper in the next steps.</source>
        <translation>您名下没有可代替这些材料的电子证照。请在后面的步骤中照常提交纸质材料。</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/licence_consent.py" line="264"/>
        <source>These materials can come from your electronic licences:</source>
        <translation>以下材料可以调用您的电子证照，免提交：</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/licence_consent.py" line="307"/>
        <source>Use your electronic licences?</source>
        <translation>调用电子证照，少交材料？</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/licence_consent.py" line="311"/>
        <source>Materials you already hold as electronic licences need not be handed in. Tap one of the two big buttons.</source>
        <translation>您已有电子证照的材料可以免提交。请点下面两个大按钮之一。</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/licence_consent.py" line="314"/>
        <source>Tap “Use all of these licences”, or hand in paper instead.</source>
        <translation>请点“全部调用以上电子证照”，或者改为提交纸质材料。</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/licence_consent.py" line="316"/>
        <source>Tap Next to go on.</source>
        <translation>请点“下一步”继续。</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/licence_consent.py" line="317"/>
        <source>Please wait a moment.</source>
        <translation>请稍候。</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/licence_consent.py" line="322"/>
        <source>Agree: use my licences</source>
        <translation>同意调用</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/licence_consent.py" line="323"/>
        <source>Do not agree; I will hand in paper</source>
        <translation>不同意，提交纸质材料</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/licence_consent.py" line="324"/>
        <source>Use all of these licences</source>
        <translation>全部调用以上电子证照</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/licence_consent.py" line="325"/>
        <source>Do not use them; I will hand in paper</source>
        <translation>不使用，提交纸质材料</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/checkin_result.py" line="38"/>
        <source>Booked service: %1</source>
        <translation>预约事项：%1</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/checkin_result.py" line="39"/>
        <source>Booked time: %1</source>
        <translation>预约时段：%1</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/checkin_result.py" line="40"/>
        <source>Booked by: %1</source>
        <translation>预约人：%1</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/checkin_result.py" line="46"/>
        <source>Booked: %1, %2 (%3)</source>
        <translation>预约：%1，%2（%3）</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/checkin_result.py" line="52"/>
        <source>You have already checked in today. This is the number you were given.</source>
        <translation>您今天已经签到过，这是之前给您的号码。</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/checkin_result.py" line="53"/>
        <source>You are checked in for your appointment.</source>
        <translation>签到成功，您的预约已确认。</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/checkin_result.py" line="119"/>
        <source>Please wait in the hall; staff will call you.</source>
        <translation>请在大厅等候，工作人员会叫您。</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/checkin_result.py" line="124"/>
        <source>Checked in</source>
        <translation>已签到</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/checkin.py" line="151"/>
        <source>Checking you in…</source>
        <translation>正在为您签到……</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/checkin.py" line="162"/>
        <source>Back to the start</source>
        <translation>返回首页</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/checkin.py" line="163"/>
        <source>Check in for your appointment</source>
        <translation>预约签到</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/checkin.py" line="164"/>
        <source>You need not type anything. Use either way below.</source>
        <translation>不用输入任何内容，用下面任一种方式即可。</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/checkin.py" line="166"/>
        <source>① Lay your ID card flat on the reader. It is read by itself.</source>
        <translation>① 把身份证平放在读卡器上，会自动读取。</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/checkin.py" line="168"/>
        <source>① Lay your ID card on the reader, then tap the button below.</source>
        <translation>① 把身份证放在读卡器上，再点下面的按钮。</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/checkin.py" line="173"/>
        <source>%1 Or hold your booking&apos;s QR code under the camera, or in front of the scanner.</source>
        <translation>%1 或者把预约二维码放在摄像头下方，或对准扫码器。</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/checkin.py" line="176"/>
        <source>%1 Or hold your booking&apos;s QR code in front of the scanner.</source>
        <translation>%1 或者把预约二维码对准扫码器。</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/checkin.py" line="179"/>
        <source>Starting the camera…</source>
        <translation>正在打开摄像头……</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/welcome_steps.py" line="28"/>
        <source>Tap a large button above to choose what you need.</source>
        <translation>点上方的大按钮，选择您要办的事。</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/welcome_steps.py" line="29"/>
        <source>Lay your ID card on the reader when asked: there is no number to type.</source>
        <translation>按提示把身份证放在读卡器上，不用输入号码。</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/welcome_steps.py" line="30"/>
        <source>Enter your ID number with the large keys on the screen.</source>
        <translation>用屏幕上的大按键输入身份证号码。</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/welcome_steps.py" line="31"/>
        <source>Put your household register and other papers on the scanner when asked: the kiosk takes their pictures. Take your receipt at the end.</source>
        <translation>按提示把户口簿等材料放在扫描台上，终端会为它们拍照。最后请取走回执。</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/welcome_steps.py" line="33"/>
        <source>Bring your papers to the counter, or import them from a USB stick. Take your receipt at the end.</source>
        <translation>纸质材料请交到窗口，或从U盘导入。最后请取走回执。</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/welcome_steps.py" line="66"/>
        <source>Applying takes three steps</source>
        <translation>办事只需三步</translation>
    </message>
</context>
<context>
    <name>Setup</name>
    <message>
        <location filename="../../ui/setup/window.py" line="211"/>
        <source>OneWindow terminal set-up</source>
        <translation>一窗通办 终端安装向导</translation>
    </message>
    <message>
        <location filename="../../ui/setup/window.py" line="213"/>
        <source>Enroll this terminal</source>
        <translation>注册本终端</translation>
    </message>
    <message>
        <location filename="../../ui/setup/window.py" line="214"/>
        <source>Enter the enrollment code from the platform&apos;s administrator. Nothing changes until it is accepted.</source>
        <translation>请输入平台管理员提供的注册码。平台接受注册码之前，本机不做任何更改。</translation>
    </message>
    <message>
        <location filename="../../ui/setup/window.py" line="216"/>
        <source>Hall code (6 to 12 digits)</source>
        <translation>大厅编码（6到12位数字）</translation>
    </message>
    <message>
        <location filename="../../ui/setup/window.py" line="217"/>
        <source>Platform address</source>
        <translation>平台地址</translation>
    </message>
    <message>
        <location filename="../../ui/setup/window.py" line="218"/>
        <source>Enrollment code</source>
        <translation>注册码</translation>
    </message>
    <message>
        <location filename="../../ui/setup/window.py" line="221"/>
        <source>Enroll and test the devices</source>
        <translation>注册并检测设备</translation>
    </message>
    <message>
        <location filename="../../ui/setup/window.py" line="222"/>
        <source>Only test the devices</source>
        <translation>仅检测设备</translation>
    </message>
    <message>
        <location filename="../../ui/setup/window.py" line="223"/>
        <source>Device tests</source>
        <translation>设备检测</translation>
    </message>
    <message>
        <location filename="../../ui/setup/window.py" line="228"/>
        <source>Before you start:</source>
        <translation>开始前请：</translation>
    </message>
    <message>
        <location filename="../../ui/setup/window.py" line="230"/>
        <source>Back</source>
        <translation>返回</translation>
    </message>
    <message>
        <location filename="../../ui/setup/window.py" line="231"/>
        <source>Test again</source>
        <translation>重新检测</translation>
    </message>
    <message>
        <location filename="../../ui/setup/window.py" line="232"/>
        <source>Start the tests</source>
        <translation>开始检测</translation>
    </message>
    <message>
        <location filename="../../ui/setup/window.py" line="233"/>
        <source>Finish</source>
        <translation>完成</translation>
    </message>
    <message>
        <location filename="../../ui/setup/window.py" line="243"/>
        <location filename="../../ui/setup/window.py" line="315"/>
        <source>Enrolling with the platform…</source>
        <translation>正在向平台注册…</translation>
    </message>
    <message>
        <location filename="../../ui/setup/window.py" line="259"/>
        <source>✔ Enrolled: hall %1, device number %2, role %3</source>
        <translation>✔ 已注册：大厅 %1，设备编号 %2，角色 %3</translation>
    </message>
    <message>
        <location filename="../../ui/setup/window.py" line="266"/>
        <source>self-service kiosk</source>
        <translation>自助终端</translation>
    </message>
    <message>
        <location filename="../../ui/setup/window.py" line="268"/>
        <source>counter</source>
        <translation>窗口终端</translation>
    </message>
    <message>
        <location filename="../../ui/setup/window.py" line="273"/>
        <source>Testing the devices…</source>
        <translation>正在检测设备…</translation>
    </message>
    <message>
        <location filename="../../ui/setup/window.py" line="277"/>
        <source>✔ Every device passed or is not connected.</source>
        <translation>✔ 全部设备通过（或未连接）。</translation>
    </message>
    <message>
        <location filename="../../ui/setup/window.py" line="278"/>
        <source>✘ A device failed: do what its line says, then tap “Test again”.</source>
        <translation>✘ 有设备未通过：按该行的提示处理后，点“重新检测”。</translation>
    </message>
    <message>
        <location filename="../../ui/setup/rows.py" line="17"/>
        <source>Passed</source>
        <translation>通过</translation>
    </message>
    <message>
        <location filename="../../ui/setup/rows.py" line="19"/>
        <source>Failed</source>
        <translation>未通过</translation>
    </message>
    <message>
        <location filename="../../ui/setup/rows.py" line="21"/>
        <source>Not connected</source>
        <translation>未连接</translation>
    </message>
    <message>
        <location filename="../../ui/setup/rows.py" line="23"/>
        <source>Testing…</source>
        <translation>检测中…</translation>
    </message>
    <message>
        <location filename="../../ui/setup/rows.py" line="24"/>
        <source>Waiting</source>
        <translation>等待检测</translation>
    </message>
</context>
<context>
    <name>Widgets</name>
    <message>
        <location filename="../../ui/widgets/fields.py" line="94"/>
        <source>(required)</source>
        <translation>（必填）</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/fields.py" line="94"/>
        <source>(optional)</source>
        <translation>（选填）</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/materials.py" line="90"/>
        <source>Pages: %1</source>
        <translation>共 %1 页</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/materials.py" line="91"/>
        <location filename="../../ui/widgets/number_pad.py" line="100"/>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/materials.py" line="92"/>
        <source>Retake</source>
        <translation>重拍</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/materials.py" line="201"/>
        <source>Not at the counter after all</source>
        <translation>取消到窗口提交</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/materials.py" line="202"/>
        <source>Hand in at the counter</source>
        <translation>到窗口提交</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/materials.py" line="234"/>
        <source>Working…</source>
        <translation>处理中……</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/materials.py" line="240"/>
        <source>Provided</source>
        <translation>已提交</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/materials.py" line="243"/>
        <source>To hand in at the counter</source>
        <translation>需到窗口提交</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/materials.py" line="246"/>
        <source>Still needed</source>
        <translation>尚未提交</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/materials.py" line="249"/>
        <location filename="../../ui/widgets/materials.py" line="256"/>
        <source>Optional</source>
        <translation>选交</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/materials.py" line="256"/>
        <source>Required</source>
        <translation>必交</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/materials.py" line="257"/>
        <source>Copies: %1</source>
        <translation>份数：%1</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/materials.py" line="260"/>
        <source>Scan</source>
        <translation>扫描</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/materials.py" line="261"/>
        <source>Photograph</source>
        <translation>高拍仪拍摄</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/materials.py" line="262"/>
        <source>Import a file</source>
        <translation>导入文件</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/materials.py" line="265"/>
        <source>Electronic licence: %1</source>
        <translation>电子证照：%1</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/sync_indicator.py" line="28"/>
        <source>Checking connection</source>
        <translation>正在检查网络</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/sync_indicator.py" line="32"/>
        <source>Online</source>
        <translation>在线</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/sync_indicator.py" line="34"/>
        <source>Working offline</source>
        <translation>离线工作</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/sync_indicator.py" line="36"/>
        <source>Offline</source>
        <translation>离线</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/sync_indicator.py" line="39"/>
        <source>%1 waiting to send</source>
        <translation>%1 项待发送</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/sync_indicator.py" line="42"/>
        <source>%1 print jobs need you</source>
        <translation>%1 个打印任务待处理</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/sync_indicator.py" line="42"/>
        <source>1 print job needs you</source>
        <translation>1 个打印任务待处理</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/sync_indicator.py" line="45"/>
        <source>Applications are saved on this kiosk and sent when the link is up.</source>
        <translation>申请已保存在本机，网络恢复后自动上报。</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/date_picker.py" line="185"/>
        <source>Day %1</source>
        <translation>%1 日</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/date_picker.py" line="186"/>
        <source>Ten years earlier</source>
        <translation>往前十年</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/date_picker.py" line="186"/>
        <source>One year earlier</source>
        <translation>往前一年</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/date_picker.py" line="187"/>
        <source>One year later</source>
        <translation>往后一年</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/date_picker.py" line="187"/>
        <source>Ten years later</source>
        <translation>往后十年</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/number_pad.py" line="100"/>
        <source>Decimal point</source>
        <translation>小数点</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/licence_text.py" line="29"/>
        <source>Valid long-term</source>
        <translation>长期有效</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/licence_text.py" line="30"/>
        <source>Valid until %1</source>
        <translation>有效期至 %1</translation>
    </message>
</context>
</TS>
